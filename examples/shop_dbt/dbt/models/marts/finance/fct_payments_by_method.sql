select
    p.payment_method,
    m.label,
    count(*) as payments,
    sum(p.amount) as amount
from {{ ref('stg_payments') }} as p
left join {{ ref('payment_methods') }} as m on m.payment_method = p.payment_method
group by all
