-- An order is never paid more than its items are worth (plus one cent of rounding).
select order_id, items_total, amount_paid
from {{ ref('orders') }}
where amount_paid > items_total + 0.01
