{% macro crm_analyze_relation() -%}
    {#- Model / seed post-hook: refresh the planner statistics of the table just built
        (see _portability__macros.yml). Renders to nothing where not needed. -#}
    {{ return(adapter.dispatch('crm_analyze_relation')()) }}
{%- endmacro %}

{% macro default__crm_analyze_relation() -%}
    {{ return('') }}
{%- endmacro %}

{% macro postgres__crm_analyze_relation() -%}
    {#- A table created by dbt has no statistics until autovacuum gets to it (a minute or
        more): models built right after it are planned blind (one mart took 140 s instead
        of 20 ms on the sample). -#}
    {%- if model.config.materialized in ('table', 'incremental', 'seed') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
