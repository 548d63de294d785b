{% macro crm_ensure_test_results_table() -%}
    {#- Creates the audit schema and table of crm_test_results_relation() when missing
        (first run on a new warehouse). Called by the on-run-start hook, so that the view
        mart_test_results and its unit test never meet a missing table, and by the on-run-end
        hook. Returns the relation. -#}
    {%- set relation = crm_test_results_relation() -%}
    {%- if execute -%}
        {%- do adapter.create_schema(relation) -%}
        {%- set ddl -%}
            create table if not exists {{ relation }} (
                run_id {{ dbt.type_string() }},
                run_started_at {{ dbt.type_timestamp() }},
                as_of_date date,
                dbt_command {{ dbt.type_string() }},
                run_selector {{ dbt.type_string() }},
                target_name {{ dbt.type_string() }},
                test_unique_id {{ dbt.type_string() }},
                test_name {{ dbt.type_string() }},
                test_type {{ dbt.type_string() }},
                test_kind {{ dbt.type_string() }},
                model_name {{ dbt.type_string() }},
                column_name {{ dbt.type_string() }},
                status {{ dbt.type_string() }},
                failures {{ dbt.type_bigint() }},
                severity {{ dbt.type_string() }},
                warn_if {{ dbt.type_string() }},
                error_if {{ dbt.type_string() }},
                message {{ dbt.type_string() }},
                execution_seconds {{ dbt.type_float() }},
                failures_relation {{ dbt.type_string() }},
                recorded_at {{ dbt.type_timestamp() }}
            )
        {%- endset -%}
        {%- do run_query(ddl) -%}
        {%- do crm_commit() -%}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
