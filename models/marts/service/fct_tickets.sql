with

tickets as (

    select * from {{ ref('stg_crm__tickets') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

tickets_as_of as (

    select
        ticket_id,
        customer_id,
        assignee_rep_id,
        ticket_type,
        category,
        severity,
        status,
        opened_at,
        -- an event stamped after the night being built has not happened yet as of that night
        case when first_response_at < {{ service_as_of_end() }} then first_response_at end as first_response_at,
        case when resolved_at < {{ service_as_of_end() }} then resolved_at end as resolved_at,
        resolved_at is null and status in ('resolved', 'closed') as is_resolved_without_timestamp,
        coalesce(ticket_type = 'complaint', false) as is_complaint
    from tickets
    where opened_at < {{ service_as_of_end() }}

),

windows as (

    select
        *,
        case
            when is_complaint then {{ var('complaint_response_hours') }}
            else {{ var('ticket_response_hours') }}
        end as response_sla_hours,
        case when is_complaint then {{ var('complaint_resolution_hours') }} end as resolution_sla_hours
    from tickets_as_of

),

due as (

    select
        *,
        {{ dbt.dateadd('hour', 'response_sla_hours', 'opened_at') }} as response_due_at,
        case
            when resolution_sla_hours is not null
                then {{ dbt.dateadd('hour', 'resolution_sla_hours', 'opened_at') }}
        end as resolution_due_at
    from windows

),

measured as (

    select
        *,
        cast(
            {{ dbt.datediff('opened_at', 'first_response_at', 'minute') }}
            as {{ dbt.type_int() }}
        ) as response_minutes,
        cast(
            {{ dbt.datediff('opened_at', 'resolved_at', 'minute') }}
            as decimal(18, 4)
        ) / 60 as resolution_hours,
        case
            when first_response_at is not null then first_response_at <= response_due_at
            when response_due_at < {{ service_as_of_end() }} then false
        end as response_sla_met,
        case
            when resolution_due_at is null then null
            when resolved_at is not null then resolved_at <= resolution_due_at
            when resolution_due_at < {{ service_as_of_end() }} then false
        end as resolution_sla_met
    from due

),

final as (

    select
        measured.ticket_id,
        measured.customer_id,
        measured.assignee_rep_id,
        measured.ticket_type,
        type_codes.label_zh as ticket_type_label_zh,
        measured.category,
        category_codes.label_zh as category_label_zh,
        measured.severity,
        severity_codes.label_zh as severity_label_zh,
        measured.status,
        status_codes.label_zh as status_label_zh,
        measured.is_complaint,
        measured.opened_at,
        measured.first_response_at,
        measured.resolved_at,
        measured.resolved_at is not null or measured.is_resolved_without_timestamp as is_resolved,
        cast(measured.response_minutes as {{ dbt.type_int() }}) as response_minutes,
        cast(measured.resolution_hours as decimal(18, 2)) as resolution_hours,
        cast(measured.response_sla_hours as {{ dbt.type_int() }}) as response_sla_hours,
        cast(measured.resolution_sla_hours as {{ dbt.type_int() }}) as resolution_sla_hours,
        cast(measured.response_due_at as {{ dbt.type_timestamp() }}) as response_due_at,
        cast(measured.resolution_due_at as {{ dbt.type_timestamp() }}) as resolution_due_at,
        measured.response_sla_met,
        measured.resolution_sla_met,
        case
            when not measured.is_complaint then null
            when
                not coalesce(measured.response_sla_met, true)
                or not coalesce(measured.resolution_sla_met, true)
                then false
            when measured.response_sla_met and measured.resolution_sla_met then true
        end as complaint_sla_met,
        {{ crm_as_of_date() }} as as_of_date
    from measured
    left join codes as type_codes
        on
            type_codes.code_list = 'ticket_type'
            and measured.ticket_type = type_codes.code
    left join codes as category_codes
        on
            category_codes.code_list = 'ticket_category'
            and measured.category = category_codes.code
    left join codes as severity_codes
        on
            severity_codes.code_list = 'ticket_severity'
            and measured.severity = severity_codes.code
    left join codes as status_codes
        on
            status_codes.code_list = 'ticket_status'
            and measured.status = status_codes.code

)

select * from final
