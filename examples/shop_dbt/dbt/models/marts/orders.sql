with items as (
    select order_id, sum(line_total) as items_total, count(*) as item_count
    from {{ ref('stg_order_items') }}
    group by order_id
),

paid as (
    select order_id, sum(amount) as amount_paid
    from {{ ref('stg_payments') }}
    group by order_id
)

select
    o.order_id,
    o.customer_id,
    o.order_date,
    o.status,
    coalesce(i.items_total, 0) as items_total,
    coalesce(i.item_count, 0) as item_count,
    coalesce(p.amount_paid, 0) as amount_paid
from {{ ref('stg_orders') }} as o
left join items as i on i.order_id = o.order_id
left join paid as p on p.order_id = o.order_id
