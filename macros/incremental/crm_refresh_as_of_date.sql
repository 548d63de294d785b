{% macro crm_refresh_as_of_date() -%}
    {#- Post-hook of a reprocessed fact: every row carries the night's as_of_date, also the
        rows that were not reprocessed. -#}
    {%- if is_incremental() -%}
        update {{ this }}
        set as_of_date = {{ crm_as_of_date() }}
        where as_of_date is null or as_of_date != {{ crm_as_of_date() }}
    {%- endif -%}
{%- endmacro %}
