with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

opportunities_as_of as (

    select
        opportunity_id,
        customer_id,
        lead_id,
        owner_rep_id,
        stage,
        amount,
        created_at,
        -- an event stamped after the night being built has not happened yet as of that night
        case when proposal_sent_at < {{ service_as_of_end() }} then proposal_sent_at end as proposal_sent_at,
        case when closed_at < {{ service_as_of_end() }} then closed_at end as closed_at,
        stage in ('won', 'lost') and coalesce(closed_at < {{ service_as_of_end() }}, true) as is_closed,
        {{ dbt.dateadd('hour', var('proposal_sla_hours'), 'created_at') }} as proposal_due_at
    from opportunities
    where created_at < {{ service_as_of_end() }}

),

measured as (

    select
        *,
        case
            when is_closed and closed_at is not null
                then {{ dbt.datediff('cast(created_at as date)', 'cast(closed_at as date)', 'day') }}
        end as cycle_days,
        cast(
            {{ dbt.datediff('created_at', 'proposal_sent_at', 'minute') }}
            as decimal(18, 4)
        ) / 60 as proposal_hours,
        case
            when proposal_sent_at is not null then proposal_sent_at <= proposal_due_at
            when proposal_due_at < {{ service_as_of_end() }} then false
        end as proposal_within_48h
    from opportunities_as_of

),

final as (

    select
        measured.opportunity_id,
        measured.customer_id,
        measured.lead_id,
        measured.owner_rep_id,
        measured.stage,
        stage_codes.label_zh as stage_label_zh,
        cast(measured.amount as decimal(18, 2)) as amount,
        measured.created_at,
        measured.proposal_sent_at,
        measured.closed_at,
        coalesce(measured.is_closed, false) as is_closed,
        coalesce(measured.is_closed and measured.stage = 'won', false) as is_won,
        coalesce(measured.is_closed and measured.stage = 'lost', false) as is_lost,
        cast(measured.cycle_days as {{ dbt.type_int() }}) as cycle_days,
        coalesce(measured.cycle_days < 0, false) as is_closed_before_created,
        cast(measured.proposal_due_at as {{ dbt.type_timestamp() }}) as proposal_due_at,
        cast(measured.proposal_hours as decimal(18, 2)) as proposal_hours,
        measured.proposal_within_48h,
        {{ crm_as_of_date() }} as as_of_date
    from measured
    left join codes as stage_codes
        on
            stage_codes.code_list = 'opportunity_stage'
            and measured.stage = stage_codes.code

)

select * from final
