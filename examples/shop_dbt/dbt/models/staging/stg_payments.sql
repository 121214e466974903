select
    p.id as payment_id,
    p.order_id,
    p.method as payment_method,
    m.is_card,
    -- amounts are stored in cents
    p.amount / 100.0 as amount
from {{ source('shop', 'payments') }} as p
left join {{ ref('payment_methods') }} as m on m.payment_method = p.method
