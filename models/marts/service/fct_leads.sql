with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

lead_sla as (

    select * from {{ ref('policy_lead_sla') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

leads_as_of as (

    select
        lead_id,
        created_at,
        source,
        grade,
        owner_rep_id,
        status,
        -- an event stamped after the night being built has not happened yet as of that night
        case when first_contacted_at < {{ service_as_of_end() }} then first_contacted_at end as first_contacted_at,
        status = 'converted' and coalesce(converted_at < {{ service_as_of_end() }}, true) as is_converted,
        converted_customer_id,
        converted_at
    from leads
    where created_at < {{ service_as_of_end() }}

),

windows as (

    select
        leads_as_of.*,
        lead_sla.contact_within_hours,
        case
            when lead_sla.contact_within_hours is not null
                then {{ dbt.dateadd('hour', 'lead_sla.contact_within_hours', 'leads_as_of.created_at') }}
        end as contact_due_at
    from leads_as_of
    left join lead_sla
        on leads_as_of.grade = lead_sla.grade

),

measured as (

    select
        *,
        cast(
            {{ dbt.datediff('created_at', 'first_contacted_at', 'minute') }}
            as decimal(18, 4)
        ) / 60 as first_contact_hours,
        case
            when contact_due_at is null then null
            when first_contacted_at is not null then first_contacted_at <= contact_due_at
            when contact_due_at < {{ service_as_of_end() }} then false
        end as contact_sla_met
    from windows

),

final as (

    select
        measured.lead_id,
        measured.created_at,
        measured.source,
        source_codes.label_zh as source_label_zh,
        measured.grade,
        grade_codes.label_zh as grade_label_zh,
        measured.owner_rep_id,
        measured.status,
        status_codes.label_zh as status_label_zh,
        measured.first_contacted_at,
        cast(measured.first_contact_hours as decimal(18, 2)) as first_contact_hours,
        cast(measured.contact_within_hours as {{ dbt.type_int() }}) as contact_within_hours,
        cast(measured.contact_due_at as {{ dbt.type_timestamp() }}) as contact_due_at,
        measured.contact_sla_met,
        coalesce(measured.is_converted, false) as converted,
        case when measured.is_converted then measured.converted_customer_id end as converted_customer_id,
        case when measured.is_converted then measured.converted_at end as converted_at,
        cast(
            case
                when measured.is_converted
                    then {{ dbt.datediff(
                        'cast(measured.created_at as date)', 'cast(measured.converted_at as date)', 'day'
                    ) }}
            end
            as {{ dbt.type_int() }}
        ) as days_to_convert,
        {{ crm_as_of_date() }} as as_of_date
    from measured
    left join codes as source_codes
        on
            source_codes.code_list = 'lead_source'
            and measured.source = source_codes.code
    left join codes as grade_codes
        on
            grade_codes.code_list = 'lead_grade'
            and measured.grade = grade_codes.code
    left join codes as status_codes
        on
            status_codes.code_list = 'lead_status'
            and measured.status = status_codes.code

)

select * from final
