{% test reconciles_with_source(model, source_relation) %}
    {#- Nothing silently lost: for every load, the model has exactly as many rows as were
        landed in `source_relation`, and each row has exactly one status. Fails with one row
        per load whose counts differ. -#}
    with

    landed as (
        select _load_id, count(*) as rows_landed
        from {{ source_relation }}
        group by _load_id
    ),

    accounted as (
        select
            _load_id,
            count(*) as rows_accounted,
            count(
                case when _row_status in ('staged', 'quarantined', 'replaced', 'not_yet_valid') then 1 end
            ) as rows_with_status
        from {{ model }}
        group by _load_id
    )

    select
        coalesce(landed._load_id, accounted._load_id) as load_id,
        landed.rows_landed,
        accounted.rows_accounted,
        accounted.rows_with_status
    from landed
    full outer join accounted on landed._load_id = accounted._load_id
    where
        coalesce(landed.rows_landed, -1) != coalesce(accounted.rows_accounted, -1)
        or coalesce(accounted.rows_with_status, -1) != coalesce(accounted.rows_accounted, -1)
{% endtest %}
