with

rows as (

    select * from {{ ref('base_crm__campaigns') }}

),

final as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        target_segment,
        owner_rep_id,
        prep_started_on,
        planned_prep_days,
        event_date,
        cost,
        goal_metric,
        goal_target,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
