{% macro service_as_of_end() -%}
    {#- The end of the night being built: midnight after `as_of_date`, as a timestamp.
        A timestamp is "dated after as_of" when it is >= this value; a timestamp SLA window
        (due at t) is still open at as_of when t >= this value. -#}
    cast({{ dbt.dateadd('day', 1, crm_as_of_date()) }} as {{ dbt.type_timestamp() }})
{%- endmacro %}
