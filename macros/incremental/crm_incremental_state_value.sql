{% macro crm_incremental_state_value(column) -%}
    {#- `column` (last_load_id, last_as_of or fingerprint) of the current model's row in the
        watermark table, as an SQL literal; `null` when there is none (or while parsing). -#}
    {%- if not execute -%}
        {{ return('null') }}
    {%- endif -%}
    {%- set relation = crm_incremental_state_relation() -%}
    {%- if adapter.get_relation(relation.database, relation.schema, relation.identifier) is none -%}
        {{ return('null') }}
    {%- endif -%}
    {%- set result = run_query(
        "select max(" ~ column ~ ") from " ~ relation ~ " where model_name = '" ~ this.identifier ~ "'"
    ) -%}
    {%- set value = result.columns[0].values()[0] if result.rows | length > 0 else none -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- elif column == 'last_as_of' -%}
        {{ return("cast('" ~ value ~ "' as date)") }}
    {%- elif column == 'last_load_id' -%}
        {{ return(value | int | string) }}
    {%- else -%}
        {{ return(crm_quote_literal(value | string)) }}
    {%- endif -%}
{%- endmacro %}
