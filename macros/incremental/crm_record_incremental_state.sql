{% macro crm_record_incremental_state() -%}
    {#- Post-hook of a reprocessed fact, in the same transaction as its rows: the watermark
        of this build (the latest load of a clean row it saw, the as-of date, the build
        fingerprint). A build killed before its commit leaves rows and watermark as they were. -#}
    {%- set relations = crm_upstream_entities() | map(attribute='relation') | list -%}
    delete from {{ crm_incremental_state_relation() }} where model_name = '{{ this.identifier }}';
    insert into {{ crm_incremental_state_relation() }} (model_name, last_load_id, last_as_of, fingerprint, recorded_at)
    select
        '{{ this.identifier }}',
        {% if relations -%}
        (
            select max(max_load_id) from (
                {%- for relation in relations %}
                select max(_load_id) as max_load_id from {{ relation }}{{ ' union all' if not loop.last }}
                {%- endfor %}
            ) as loads
        ),
        {%- else -%}
        cast(0 as {{ dbt.type_bigint() }}),
        {%- endif %}
        {{ crm_as_of_date() }},
        '{{ crm_build_fingerprint() }}',
        {{ dbt.current_timestamp() }}
{%- endmacro %}
