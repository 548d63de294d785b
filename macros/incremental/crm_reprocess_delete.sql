{% macro crm_reprocess_delete(customer_column, open_rows) -%}
    {#- Pre-hook of a reprocessed fact: on an incremental run, delete the rows that are
        computed again tonight (crm_reprocess_condition). -#}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ crm_reprocess_condition(customer_column, open_rows) }}
    {%- endif -%}
{%- endmacro %}
