{% macro crm_register_landing_tables() -%}
    {{ return(adapter.dispatch('crm_register_landing_tables', 'crmwh')()) }}
{%- endmacro %}

{% macro default__crm_register_landing_tables() -%}
    {#- DuckDB (and engines whose raw tables are written by the loader itself): nothing to do. -#}
    {{ return('') }}
{%- endmacro %}

{% macro spark__crm_register_landing_tables() -%}
    {#- on-run-start on Spark: (re)declares every table of source crm_raw, and the load
        manifest, as an external Parquet table over <crm_landing_path>/<table>/ (written by
        `crmwh load --parquet`, or by a cluster's own ingestion in the same layout). Dropping
        an external table keeps its files; re-creating it picks up new files and columns. -#}
    {%- if execute -%}
        {%- set landing = var('crm_landing_path', env_var('CRMWH_WAREHOUSE_DIR', 'warehouse') ~ '/landing') -%}
        {%- set schema = source('crm_raw', 'customers').schema -%}
        {%- do run_query('create schema if not exists ' ~ schema) -%}
        {%- for table in crm_export_entities() + ['_load_manifest'] -%}
            {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ table) -%}
            {%- do run_query(
                'create table ' ~ schema ~ '.' ~ table ~ ' using parquet location '
                ~ crm_quote_literal(landing ~ '/' ~ table)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
