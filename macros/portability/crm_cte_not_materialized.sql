{% macro crm_cte_not_materialized() -%}
    {#- Keyword between `name as` and `(` of a CTE that is referenced twice and must be
        computed again at each reference instead of being held in memory (see
        _portability__macros.yml). -#}
    {{ return(adapter.dispatch('crm_cte_not_materialized')()) }}
{%- endmacro %}

{% macro default__crm_cte_not_materialized() -%}
    {#- DuckDB (which materializes a CTE referenced twice), PostgreSQL 12+. -#}
    not materialized
{%- endmacro %}

{% macro spark__crm_cte_not_materialized() -%}
    {#- Spark inlines every CTE and has no such keyword. -#}
{%- endmacro %}
