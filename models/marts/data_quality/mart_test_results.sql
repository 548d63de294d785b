{{ config(materialized='view') }}
{#- 测试结果历史 — every data-test (and unit-test) result of every dbt run, as recorded by
    the on-run-end hook crm_store_test_results into audit.dbt_test_results. A view, so it
    always shows every run whose hook has finished, including the current night once dbt
    has finished running (the hook runs after the last node). -#}

with

test_results as (

    select * from {{ source('crm_audit', 'dbt_test_results') }}

),

codes as (

    select * from {{ ref('ref_codes') }}

),

ranked as (

    select
        test_results.*,
        row_number() over (
            partition by test_results.test_unique_id
            order by test_results.run_started_at desc, test_results.recorded_at desc
        ) as recency_rank,
        max(test_results.run_started_at) over () as latest_run_started_at
    from test_results

),

final as (

    select
        cast(ranked.run_id as {{ dbt.type_string() }}) as run_id,
        cast(ranked.run_started_at as {{ dbt.type_timestamp() }}) as run_started_at,
        cast(ranked.as_of_date as date) as as_of_date,
        cast(ranked.dbt_command as {{ dbt.type_string() }}) as dbt_command,
        cast(ranked.run_selector as {{ dbt.type_string() }}) as run_selector,
        cast(ranked.target_name as {{ dbt.type_string() }}) as target_name,
        cast(ranked.test_unique_id as {{ dbt.type_string() }}) as test_unique_id,
        cast(ranked.test_name as {{ dbt.type_string() }}) as test_name,
        cast(ranked.test_type as {{ dbt.type_string() }}) as test_type,
        cast(test_types.label_zh as {{ dbt.type_string() }}) as test_type_label_zh,
        cast(ranked.test_kind as {{ dbt.type_string() }}) as test_kind,
        cast(ranked.model_name as {{ dbt.type_string() }}) as model_name,
        cast(ranked.column_name as {{ dbt.type_string() }}) as column_name,
        cast(ranked.status as {{ dbt.type_string() }}) as status,
        cast(statuses.label_zh as {{ dbt.type_string() }}) as status_label_zh,
        cast(ranked.failures as {{ dbt.type_bigint() }}) as failures,
        cast(ranked.severity as {{ dbt.type_string() }}) as severity,
        cast(severities.label_zh as {{ dbt.type_string() }}) as severity_label_zh,
        cast(ranked.warn_if as {{ dbt.type_string() }}) as warn_if,
        cast(ranked.error_if as {{ dbt.type_string() }}) as error_if,
        cast(ranked.message as {{ dbt.type_string() }}) as message,
        cast(ranked.execution_seconds as {{ dbt.type_float() }}) as execution_seconds,
        cast(ranked.failures_relation as {{ dbt.type_string() }}) as failures_relation,
        cast(ranked.recorded_at as {{ dbt.type_timestamp() }}) as recorded_at,
        ranked.run_started_at = ranked.latest_run_started_at as is_latest_run,
        ranked.recency_rank = 1 as is_latest_result
    from ranked
    left join codes as statuses
        on
            statuses.code_list = 'test_status'
            and ranked.status = statuses.code
    left join codes as severities
        on
            severities.code_list = 'test_severity'
            and ranked.severity = severities.code
    left join codes as test_types
        on
            test_types.code_list = 'test_type'
            and ranked.test_type = test_types.code

)

select * from final
