select
    order_date,
    count(*) as orders,
    sum(amount_paid) as revenue
from {{ ref('orders') }}
where status in ('shipped', 'completed')
group by order_date
