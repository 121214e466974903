select
    id as order_id,
    customer_id,
    cast(ordered_at as date) as order_date,
    status,
    updated_at
from {{ source('shop', 'orders') }}
where status != 'test'
