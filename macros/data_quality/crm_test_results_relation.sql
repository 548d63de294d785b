{% macro crm_test_results_relation() -%}
    {#- The audit table that keeps every data-test result of every dbt run:
        <audit schema>.dbt_test_results (schema `audit` through generate_schema_name). -#}
    {{ return(api.Relation.create(
        database=target.database if target.database is defined else none,
        schema=generate_schema_name('audit', none) | trim,
        identifier='dbt_test_results',
        type='table',
    )) }}
{%- endmacro %}
