select
    id as customer_id,
    lower(trim(email)) as email,
    first_name,
    last_name,
    upper(country) as country_code,
    created_at
from {{ source('shop', 'customers') }}
