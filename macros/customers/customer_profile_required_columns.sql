{% macro customer_profile_required_columns() -%}
    {#- Names of the required (R) columns of the customers export, read from the source
        declaration (column meta `required: true` in models/staging/crm/_crm__sources.yml),
        so profile completeness follows the contract. Empty while dbt parses (the graph is
        only filled at execution time). dbt unit tests get no graph: they use the list below,
        the contract's required columns when this was written (a run warns if they diverge). -#}
    {%- set contract_at_writing = [
        'customer_id', 'customer_name', 'industry', 'customer_type', 'contact_name',
        'contact_title', 'phone', 'email', 'address', 'initial_need', 'lead_source',
        'acquired_at', 'owner_rep_id', 'updated_at',
    ] -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if graph.get('sources') is none -%}
        {{ return(contract_at_writing) }}
    {%- endif -%}
    {%- set contract = crm_source_contract('customers') -%}
    {%- set names = [] -%}
    {%- for column in contract.columns if column.required -%}
        {%- do names.append(column.name) -%}
    {%- endfor -%}
    {%- if names != contract_at_writing -%}
        {%- do exceptions.warn(
            "customer_profile_required_columns: the contract's required customer columns changed ("
            ~ names | join(', ') ~ "); update the unit-test list in macros/customers.") -%}
    {%- endif -%}
    {{ return(names) }}
{%- endmacro %}
