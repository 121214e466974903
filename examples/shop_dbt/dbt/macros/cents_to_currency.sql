{% macro cents_to_currency(column) -%}
    ({{ column }} / 100.0)
{%- endmacro %}
