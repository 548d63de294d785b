with

rows as (

    select * from {{ ref('base_crm__surveys') }}

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
        response_id,
        customer_id,
        responded_at,
        score_quality,
        score_responsiveness,
        score_communication,
        score_value,
        score_overall,
        nps_score,
        comment
    from rows
    where _row_status = 'quarantined'

)

select * from final
