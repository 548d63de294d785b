{% macro crm_as_of_date() -%}
    {#- The night being built, as a date literal. Every "as of" rule compares with this,
        never with current_date, so a past night can be rebuilt exactly. -#}
    cast('{{ var("as_of_date") }}' as date)
{%- endmacro %}
