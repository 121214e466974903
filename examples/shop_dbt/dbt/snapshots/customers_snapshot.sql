{% snapshot customers_snapshot %}

{{
    config(
      unique_key='id',
      strategy='timestamp',
      updated_at='updated_at',
    )
}}

select * from {{ source('shop', 'customers') }}

{% endsnapshot %}
