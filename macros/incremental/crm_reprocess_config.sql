{% macro crm_reprocess_config(customer_column, open_rows) -%}
    {#- The one place that decides how the large facts are built night over night.
        Returns the config of a fact built by "reprocessing": each night, the rows that can
        differ from the previous night's build (crm_reprocess_condition) are deleted in a
        pre-hook and computed again by the model (filtered with the same condition), inside
        one transaction with the watermark update (crm_record_incremental_state).
        customer_column: the model's customer column; open_rows: SQL condition on the model's
        own columns for rows whose values still depend on the as-of date (an SLA window or a
        period still open on the previous night); `{last_as_of}` / `{last_as_of_end}` stand
        for the previous build's as-of date / the midnight after it.
        The strategy per engine is chosen by crm_incremental_strategy. -#}
    {%- set strategy = crm_incremental_strategy() -%}
    {%- if strategy is none -%}
        {{ return({'materialized': 'table'}) }}
    {%- endif -%}
    {%- set args = "'" ~ customer_column ~ "', " ~ crm_quote_literal(open_rows) -%}
    {{ return({
        'materialized': 'incremental',
        'incremental_strategy': strategy,
        'on_schema_change': crm_on_schema_change(),
        'pre_hook': [
            before_begin("{% do crm_ensure_incremental_state() %}"),
            "{{ crm_reprocess_delete(" ~ args ~ ") }}",
        ],
        'post_hook': [
            "{{ crm_refresh_as_of_date() }}",
            "{{ crm_record_incremental_state() }}",
        ],
    }) }}
{%- endmacro %}
