{%- set entities = [
    'customers', 'sales_reps', 'orders', 'interactions', 'maintenance_plan', 'leads',
    'opportunities', 'tickets', 'surveys', 'campaigns', 'campaign_members', 'tier_reviews',
] -%}

with

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

final as (

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

)

select * from final
