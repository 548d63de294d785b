{#- Every quarantined landed row of every export entity, with its reason, failing column
    and lineage (load, file, line), from the staging quarantine models. -#}
{%- set entities = crm_export_entities() %}

with

{% for entity in entities %}
    {{ entity }}_quarantine as (

        select * from {{ ref('stg_crm__' ~ entity ~ '_quarantine') }}

    ),
{% endfor %}

unioned as (

    {% for entity in entities %}
        select
            '{{ entity }}' as entity,
            _load_id,
            _loaded_at,
            _source_file,
            _row_number,
            _quarantine_reason,
            _quarantine_column
        from {{ entity }}_quarantine
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        cast(entity as {{ dbt.type_string() }}) as entity,
        _load_id as load_id,
        _loaded_at as loaded_at,
        cast(_loaded_at as date) as load_date,
        _source_file as source_file,
        _row_number as row_number_in_file,
        _quarantine_reason as quarantine_reason,
        _quarantine_column as quarantine_column
    from unioned

)

select * from final
