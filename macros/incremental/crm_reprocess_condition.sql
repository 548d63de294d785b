{% macro crm_reprocess_condition(customer_column, open_rows) -%}
    {#- SQL boolean on a row of the current model (old in its table, or newly computed): the
        row is reprocessed tonight. True when the whole model is (crm_reprocess_all), when
        its customer changed (crm_changed_customers), or when open_rows holds for it (see
        crm_reprocess_config). A row for which this is false is the same in the last build
        and in a full build tonight, which is what makes incremental = full refresh. -#}
    {%- set last_as_of = crm_incremental_state_value('last_as_of') -%}
    {%- set last_as_of_end = "cast(" ~ dbt.dateadd('day', 1, last_as_of) ~ " as " ~ dbt.type_timestamp() ~ ")" -%}
    {%- set open_sql = open_rows | replace('{last_as_of_end}', last_as_of_end) | replace('{last_as_of}', last_as_of) -%}
    (
        {{ crm_reprocess_all() }}
        or coalesce({{ customer_column }}, '(none)') in (
            select changed_customers.customer_key
            from (
                {{ crm_changed_customers() | indent(16) }}
            ) as changed_customers
        )
        or coalesce({{ open_sql }}, false)
    )
{%- endmacro %}
