with

rows as (

    select * from {{ ref('base_crm__campaigns') }}

),

final as (

    select
        _load_id,
        _source_file,
        _file_sha256,
        _row_number,
        _loaded_at,
        _quarantine_reason,
        _quarantine_column,
        _quarantine_value,
        _raw_line,
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
        goal_target
    from rows
    where _row_status = 'quarantined'

)

select * from final
