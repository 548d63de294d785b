with

rows as (

    select * from {{ ref('base_crm__interactions') }}

),

final as (

    select
        interaction_id,
        customer_id,
        rep_id,
        occurred_at,
        logged_at,
        channel,
        direction,
        summary,
        customer_feedback,
        next_action,
        next_action_due,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
