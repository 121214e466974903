select
    c.region,
    o.order_date,
    sum(o.amount_paid) as revenue
from {{ ref('orders') }} as o
join {{ ref('customers') }} as c on c.customer_id = o.customer_id
group by all
