{% macro crm_incremental_state_relation() -%}
    {#- The watermark table of the reprocessed facts: <audit schema>.crm_incremental_state,
        one row per model (model_name, last_load_id, last_as_of, fingerprint, recorded_at). -#}
    {{ return(api.Relation.create(
        database=target.database,
        schema=generate_schema_name('audit', none) | trim,
        identifier='crm_incremental_state',
        type='table',
    )) }}
{%- endmacro %}
