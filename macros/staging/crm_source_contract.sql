{% macro crm_source_contract(entity) -%}
    {#- The declaration of one export entity from models/staging/crm/_crm__sources.yml:
        {'key': [...], 'version_column': ..., 'columns': [{'name', 'crm_type', 'required',
        'code_list', 'places_in_time', 'references', 'min', 'max'}, ...]}.
        Only available at execution time (the graph is empty while dbt parses). -#}
    {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', 'crm_raw')
        | selectattr('name', 'equalto', entity) | first -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("crm_raw source has no table " ~ entity) }}
    {%- endif -%}
    {%- set table_meta = node.meta or node.config.meta -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set meta = column.meta or column.config.meta -%}
        {%- do columns.append({
            'name': column.name,
            'crm_type': meta.get('crm_type'),
            'required': meta.get('required', false),
            'code_list': meta.get('code_list'),
            'places_in_time': meta.get('places_in_time', false),
            'references': meta.get('references'),
            'min': meta.get('min'),
            'max': meta.get('max'),
        }) -%}
    {%- endfor -%}
    {{ return({
        'key': table_meta.get('key'),
        'version_column': table_meta.get('version_column'),
        'columns': columns,
    }) }}
{%- endmacro %}
