{% macro crm_create_engine_functions() -%}
    {#- on-run-start hook: creates the helper SQL functions an engine needs (see
        _portability__macros.yml). Returns no SQL. -#}
    {{ return(adapter.dispatch('crm_create_engine_functions')()) }}
{%- endmacro %}

{% macro default__crm_create_engine_functions() -%}
    {{ return('') }}
{%- endmacro %}

{% macro postgres__crm_create_engine_functions() -%}
    {#- PostgreSQL has no try_cast: crm_try_cast_<type>(text) returns the cast value, or
        null where the cast raises (bad number, 2024-02-30, overflow), in target.schema.
        As DuckDB's try_cast: text to an integer type rounds ('1.5' -> 2, '1e3' -> 1000),
        and 'NaN' is not a decimal. -#}
    {%- if execute -%}
        {%- do adapter.create_schema(api.Relation.create(database=target.database, schema=target.schema)) -%}
        {%- for data_type in crm_try_cast_types() -%}
            {%- if data_type in ('bigint', 'integer') -%}
                {%- set body = 'return cast(round(cast(value as numeric)) as ' ~ data_type ~ ');' -%}
            {%- elif data_type.startswith('decimal') -%}
                {%- set body = "if cast(value as numeric) = 'NaN' then return null; end if; return cast(value as "
                    ~ data_type ~ ');' -%}
            {%- else -%}
                {%- set body = 'return cast(value as ' ~ data_type ~ ');' -%}
            {%- endif -%}
            {%- set ddl -%}
                create or replace function {{ target.schema }}.{{ crm_try_cast_function(data_type) }}(value text)
                returns {{ data_type }} language plpgsql immutable as $fn$
                begin
                    {{ body }}
                exception when others then
                    return null;
                end
                $fn$
            {%- endset -%}
            {%- do run_query(ddl) -%}
        {%- endfor -%}
        {%- do crm_commit() -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
