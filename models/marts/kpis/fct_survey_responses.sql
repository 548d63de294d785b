with

surveys as (

    select * from {{ ref('stg_crm__surveys') }}

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

sales_reps as (

    select * from {{ ref('stg_crm__sales_reps') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

responses as (

    select
        surveys.response_id,
        surveys.customer_id,
        customers.owner_rep_id,
        sales_reps.team,
        surveys.responded_at,
        cast(surveys.responded_at as date) as responded_on,
        surveys.score_quality,
        surveys.score_responsiveness,
        surveys.score_communication,
        surveys.score_value,
        surveys.score_overall,
        surveys.nps_score,
        {{ crm_nps_category('surveys.nps_score') }} as nps_category,
        case
            when surveys.score_overall is not null
                then surveys.score_overall >= {{ var('satisfied_score_at_least') }}
        end as is_satisfied
    from surveys
    left join customers
        on surveys.customer_id = customers.customer_id
    left join sales_reps
        on customers.owner_rep_id = sales_reps.rep_id
    where surveys.responded_at < {{ service_as_of_end() }}

),

final as (

    select
        responses.response_id,
        responses.customer_id,
        responses.owner_rep_id,
        responses.team,
        responses.responded_at,
        responses.responded_on,
        cast(responses.score_quality as integer) as score_quality,
        cast(responses.score_responsiveness as integer) as score_responsiveness,
        cast(responses.score_communication as integer) as score_communication,
        cast(responses.score_value as integer) as score_value,
        cast(responses.score_overall as integer) as score_overall,
        responses.is_satisfied,
        cast(responses.nps_score as integer) as nps_score,
        responses.nps_category,
        nps_codes.label_zh as nps_category_label_zh,
        case responses.nps_category
            when 'promoter' then 1
            when 'detractor' then -1
            when 'passive' then 0
        end as nps_contribution,
        {{ crm_as_of_date() }} as as_of_date
    from responses
    left join codes as nps_codes
        on responses.nps_category = nps_codes.code and nps_codes.code_list = 'nps_category'

)

select * from final
