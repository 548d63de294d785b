{{ config(severity='error') }}
{#- Self-test of the personal-data scan on a fixture: the detector behind
    assert_no_personal_data_in_marts must find exactly the planted phone numbers and
    e-mail addresses and nothing in look-alikes (ids, hashes, dates, amounts). Fails with
    one row per fixture column and pattern whose count differs from the expected count. -#}
{%- set fixture -%}
    (
        select
            '请联系13912345678' as mobile_text,
            'zhang.san@example.com.cn' as email_text,
            '办公室 021-62345678 转 8' as office_text,
            'C13800000000' as id_text,
            'ed773fd7ea45fe73834bdeca90108aeb' as hash_text,
            '2026-11-23 1,380,000.00' as number_text
        union all
        select
            '+86 138 0013 8000',
            '无',
            '0755 12345678',
            'R2026112300012',
            'e640907151124692d',
            '20261123000123'
    ) as fixture
{%- endset -%}
{%- set scans = [{
    'model': 'fixture',
    'relation': fixture,
    'columns': ['mobile_text', 'email_text', 'office_text', 'id_text', 'hash_text', 'number_text'],
}] %}

with

findings as (

    {{ crm_personal_data_findings(scans) }}

),

expected as (

    select
        'mobile_text' as column_name,
        'mobile_phone' as pattern_name,
        2 as expected_rows
    union all
    select
        'email_text' as column_name,
        'email' as pattern_name,
        1 as expected_rows
    union all
    select
        'office_text' as column_name,
        'office_phone' as pattern_name,
        2 as expected_rows

),

compared as (

    select
        coalesce(findings.column_name, expected.column_name) as column_name,
        coalesce(findings.pattern_name, expected.pattern_name) as pattern_name,
        findings.matching_rows,
        coalesce(expected.expected_rows, 0) as expected_rows
    from findings
    full outer join expected
        on
            findings.column_name = expected.column_name
            and findings.pattern_name = expected.pattern_name

),

scanned as (

    select count(*) as findings_rows from findings

)

select
    column_name,
    pattern_name,
    matching_rows,
    expected_rows
from compared
where coalesce(matching_rows, -1) != expected_rows

union all

-- every column x pattern must have been scanned (6 columns x 3 patterns)
select
    'all' as column_name,
    'all' as pattern_name,
    findings_rows as matching_rows,
    18 as expected_rows
from scanned
where findings_rows != 18
