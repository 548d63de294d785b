{% macro crm_on_schema_change() -%}
    {#- on_schema_change of the reprocessed facts, by engine (see _incremental__macros.yml). -#}
    {{ return(adapter.dispatch('crm_on_schema_change')()) }}
{%- endmacro %}

{% macro default__crm_on_schema_change() -%}
    {{ return('fail') }}
{%- endmacro %}

{% macro postgres__crm_on_schema_change() -%}
    {#- PostgreSQL names the contract's varchar columns 'character varying' and the night's
        text columns 'text', which dbt's schema-change check reports as a type change on
        every incremental night. append_new_columns (the only other value dbt allows with an
        enforced contract) does not fail on a type difference; the contract still pins
        each column's name and type. -#}
    {{ return('append_new_columns') }}
{%- endmacro %}
