{% macro crm_node_name(unique_id) -%}
    {#- The readable name of a node id: `model.crmwh.stg_crm__customers` -> stg_crm__customers,
        `source.crmwh.crm_raw.customers` -> crm_raw.customers; none stays none. -#}
    {%- if unique_id is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set parts = unique_id.split('.') -%}
    {%- if parts[0] == 'source' and parts | length > 3 -%}
        {{ return(parts[2] ~ '.' ~ parts[3]) }}
    {%- endif -%}
    {{ return(parts[2] if parts | length > 2 else unique_id) }}
{%- endmacro %}
