-- Kept for the old sales dashboard until it moves to fct_revenue_daily.
{{ config(tags=["deprecated"]) }}

select order_date, sum(items_total) as sales
from {{ ref('orders') }}
group by order_date
