with

rows as (

    select * from {{ ref('base_crm__opportunities') }}

),

final as (

    select
        opportunity_id,
        customer_id,
        lead_id,
        owner_rep_id,
        stage,
        amount,
        created_at,
        proposal_sent_at,
        closed_at,
        updated_at,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
