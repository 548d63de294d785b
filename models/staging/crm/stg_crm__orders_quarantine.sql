with

rows as (

    select * from {{ ref('base_crm__orders') }}

),

final as (

    select
        _load_id,
        _source_file,
        _file_sha256,
        _row_number,
        _loaded_at,
        _quarantine_reason,
        _quarantine_column,
        _quarantine_value,
        _raw_line,
        order_id,
        customer_id,
        order_date,
        amount,
        product_category,
        status,
        rep_id,
        updated_at
    from rows
    where _row_status = 'quarantined'

)

select * from final
