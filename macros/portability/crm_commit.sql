{% macro crm_commit() -%}
    {#- Commits what a hook macro wrote with run_query (see _portability__macros.yml). -#}
    {{ return(adapter.dispatch('crm_commit')()) }}
{%- endmacro %}

{% macro default__crm_commit() -%}
    {%- do adapter.commit() -%}
{%- endmacro %}

{% macro postgres__crm_commit() -%}
    {#- In hooks dbt-postgres runs statements without opening a dbt transaction, so
        adapter.commit() raises; psycopg2 still holds an implicit transaction: commit it. -#}
    {%- do run_query('commit') -%}
{%- endmacro %}
