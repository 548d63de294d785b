with

rows as (

    select * from {{ ref('base_crm__opportunities') }}

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
        opportunity_id,
        customer_id,
        lead_id,
        owner_rep_id,
        stage,
        amount,
        created_at,
        proposal_sent_at,
        closed_at,
        updated_at
    from rows
    where _row_status = 'quarantined'

)

select * from final
