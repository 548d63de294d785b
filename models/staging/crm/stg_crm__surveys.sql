with

rows as (

    select * from {{ ref('base_crm__surveys') }}

),

final as (

    select
        response_id,
        customer_id,
        responded_at,
        score_quality,
        score_responsiveness,
        score_communication,
        score_value,
        score_overall,
        nps_score,
        comment,
        _load_id,
        _source_file,
        _row_number,
        _loaded_at
    from rows
    where _row_status = 'staged'

)

select * from final
