{% macro crm_export_columns() -%}
    {#- Every column of every export entity declared in source crm_raw
        (models/staging/crm/_crm__sources.yml), in declaration order, as a list of dicts:
        entity, entity_zh, column_name, column_zh, column_position, crm_type, is_required, is_pii.
        Only available at execution time (the graph is empty while dbt parses). -#}
    {%- set found = [] -%}
    {%- if execute -%}
        {%- set tables = graph.sources.values() | selectattr('source_name', 'equalto', 'crm_raw')
            | sort(attribute='name') -%}
        {%- for table in tables -%}
            {%- set table_meta = table.meta or table.config.meta -%}
            {%- for column in table.columns.values() -%}
                {%- set meta = column.meta or column.config.meta -%}
                {%- do found.append({
                    'entity': table.name,
                    'entity_zh': table_meta.get('zh', table.name),
                    'column_name': column.name,
                    'column_zh': meta.get('zh', column.name),
                    'column_position': loop.index,
                    'crm_type': meta.get('crm_type'),
                    'is_required': meta.get('required', false),
                    'is_pii': meta.get('pii', false),
                }) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}
