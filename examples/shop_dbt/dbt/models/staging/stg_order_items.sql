select
    id as order_item_id,
    order_id,
    sku,
    quantity,
    unit_price_cents / 100.0 as unit_price,
    quantity * unit_price_cents / 100.0 as line_total
from {{ source('shop', 'order_items') }}
