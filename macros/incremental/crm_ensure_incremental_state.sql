{% macro crm_ensure_incremental_state() -%}
    {#- Creates the watermark table (crm_incremental_state_relation) when missing; run as a
        pre-hook before the model's transaction begins. -#}
    {%- set relation = crm_incremental_state_relation() -%}
    {%- if execute -%}
        {%- do adapter.create_schema(relation) -%}
        {%- set ddl -%}
            create table if not exists {{ relation }} (
                model_name {{ dbt.type_string() }},
                last_load_id {{ dbt.type_bigint() }},
                last_as_of date,
                fingerprint {{ dbt.type_string() }},
                recorded_at {{ dbt.type_timestamp() }}
            )
        {%- endset -%}
        {%- do run_query(ddl) -%}
        {%- do crm_commit() -%}
    {%- endif -%}
{%- endmacro %}
