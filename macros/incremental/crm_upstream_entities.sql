{% macro crm_upstream_entities() -%}
    {#- The export entities whose clean staging model (stg_crm__<entity>) the current model
        depends on, directly or not: [{'entity', 'relation', 'customer_columns',
        'date_columns'}]. Execution time only. -#}
    {%- set entities = [] -%}
    {%- if execute -%}
        {%- set known = crm_export_entities() -%}
        {%- for node in crm_upstream_nodes(model.unique_id) | sort(attribute='name')
            if node.resource_type == 'model' and node.name.startswith('stg_crm__') -%}
            {%- set entity = node.name[9:] -%}
            {%- if entity in known -%}
                {%- set contract = crm_source_contract(entity) -%}
                {%- do entities.append({
                    'entity': entity,
                    'relation': node.relation_name,
                    'customer_columns': contract.columns | map(attribute='name')
                        | select('equalto', 'customer_id') | list
                        + contract.columns | map(attribute='name')
                        | select('equalto', 'converted_customer_id') | list,
                    'date_columns': contract.columns | selectattr('crm_type', 'in', ['date', 'timestamp'])
                        | map(attribute='name') | list,
                }) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(entities) }}
{%- endmacro %}
