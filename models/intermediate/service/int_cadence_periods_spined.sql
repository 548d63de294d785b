with

customer_states as (

    select * from {{ ref('int_customer_states_historized') }}

),

bounds as (

    select min(valid_from) as spine_start
    from customer_states
    where
        cadence_policy_code is not null
        and valid_from <= {{ crm_as_of_date() }}

),

spine as (

    {{ service_period_spine('(select bounds.spine_start from bounds)', crm_as_of_date()) }}

),

final as (

    select
        period_grain,
        period_start,
        period_end
    from spine

)

select * from final
