select
    c.customer_id,
    c.email,
    c.first_name,
    c.last_name,
    cc.country_name,
    cc.region,
    min(o.order_date) as first_order_date,
    max(o.order_date) as last_order_date,
    count(o.order_id) as order_count,
    coalesce(sum(o.amount_paid), 0) as lifetime_value
from {{ ref('stg_customers') }} as c
left join {{ ref('country_codes') }} as cc on cc.country_code = c.country_code
left join {{ ref('orders') }} as o on o.customer_id = c.customer_id
group by all
