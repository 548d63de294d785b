{%- set entities = [
    'customers', 'sales_reps', 'orders', 'interactions', 'maintenance_plan', 'leads',
    'opportunities', 'tickets', 'surveys', 'campaigns', 'campaign_members', 'tier_reviews',
] -%}

with

export_columns as (

    select * from {{ ref('int_export_columns_described') }}

),

all_rows as (

    {% for entity in entities %}
        select
            '{{ entity }}' as entity,
            _load_id as load_id,
            _loaded_at as loaded_at,
            _row_status as row_status,
            _quarantine_reason as quarantine_reason
        from {{ ref('base_crm__' ~ entity) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

load_counts as (

    select
        entity,
        load_id,
        min(loaded_at) as loaded_at,
        count(*) as rows_landed,
        count(case when row_status = 'staged' then 1 end) as rows_staged,
        count(case when row_status = 'quarantined' then 1 end) as rows_quarantined,
        count(case when quarantine_reason in ('exact_duplicate', 'superseded') then 1 end)
            as rows_duplicate_or_superseded,
        count(case when row_status = 'replaced' then 1 end) as rows_replaced_by_later_load,
        count(case when row_status = 'not_yet_valid' then 1 end) as rows_not_yet_valid
    from all_rows
    group by entity, load_id

),

entities as (

    select distinct
        entity,
        entity_label_zh
    from export_columns

),

final as (

    select
        cast(load_counts.entity as {{ dbt.type_string() }}) as entity,
        cast(entities.entity_label_zh as {{ dbt.type_string() }}) as entity_label_zh,
        cast(load_counts.load_id as {{ dbt.type_bigint() }}) as load_id,
        cast(load_counts.loaded_at as {{ dbt.type_timestamp() }}) as loaded_at,
        cast(load_counts.rows_landed as {{ dbt.type_bigint() }}) as rows_landed,
        cast(load_counts.rows_staged as {{ dbt.type_bigint() }}) as rows_staged,
        cast(load_counts.rows_quarantined as {{ dbt.type_bigint() }}) as rows_quarantined,
        cast(load_counts.rows_duplicate_or_superseded as {{ dbt.type_bigint() }})
            as rows_duplicate_or_superseded,
        cast(load_counts.rows_replaced_by_later_load as {{ dbt.type_bigint() }})
            as rows_replaced_by_later_load,
        cast(load_counts.rows_not_yet_valid as {{ dbt.type_bigint() }}) as rows_not_yet_valid
    from load_counts
    left join entities on load_counts.entity = entities.entity

)

select * from final
