{% macro crm_export_entities() -%}
    {#- The export entities, as a static list: models that ref one model per entity need
        the names while dbt parses (when the source declaration is not readable yet). At
        execution the list is checked against source crm_raw, so a contract change that
        adds an entity fails loudly here instead of being silently left out. -#}
    {%- set entities = [
        'customers', 'sales_reps', 'orders', 'interactions', 'maintenance_plan', 'leads',
        'opportunities', 'tickets', 'surveys', 'campaigns', 'campaign_members', 'tier_reviews',
    ] -%}
    {%- if execute -%}
        {%- set declared = graph.sources.values() | selectattr('source_name', 'equalto', 'crm_raw')
            | map(attribute='name') | list -%}
        {%- set missing = declared | reject('in', entities) | list -%}
        {%- if missing | length > 0 -%}
            {{ exceptions.raise_compiler_error(
                'crm_export_entities(): source crm_raw declares ' ~ missing | join(', ')
                ~ ' which this list does not name; add it to macros/data_quality/crm_export_entities.sql') }}
        {%- endif -%}
    {%- endif -%}
    {{ return(entities) }}
{%- endmacro %}
