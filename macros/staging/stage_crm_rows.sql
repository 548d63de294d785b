{% macro stage_crm_rows(entity, references={}) -%}
    {#- Every landed row of one export entity, typed, checked and given a status.

        Grain: one row per landed row (_load_id, _row_number). Columns: the lineage, every
        contract column typed (crm_type of the source declaration), and
          _quarantine_reason / _quarantine_column / _quarantine_value  why a row is not clean
          _row_status  staged (the current clean version of its key), quarantined,
                       replaced (a clean version that a later night's export replaced), or
                       not_yet_valid (a clean version whose version column, updated_at, lies
                       after the end of the as-of night: unknown that night, so a past night
                       rebuilt from later loads gives what it gave then; such a row is staged
                       or replaced once a night on or after its updated_at is built)
        Precedence of reasons: malformed_row, missing_key, missing_timestamp, bad_timestamp,
        bad_number, bad_boolean, out_of_range, unknown_code, orphan_reference, then among
        clean rows of one load: exact_duplicate, superseded (an older version of the key).
        Versions are ranked only among the clean rows known on the as-of night (version
        column null or before the end of as_of_date); a later version is not_yet_valid
        (checked for everything but orphan_reference, which depends on the night);
        entities without a version column are not filtered here (their rows are placed in
        time by their own dates downstream).

        references: {column: relation}; the relation must have a column of the same name.
        A non-null value without a match there is an orphan_reference. -#}
    {%- set source_relation = source('crm_raw', entity) -%}
    {%- set codes_relation = ref('ref_codes') -%}
    {%- if not execute -%}
        select 1 as _placeholder
    {%- else -%}
    {%- set contract = crm_source_contract(entity) -%}
    {%- set columns = contract.columns -%}
    {%- set key = contract.key -%}
    {%- set version_column = contract.version_column -%}
    {%- set checks = [] -%}
    {%- for column in columns if column.name in key -%}
        {%- do checks.append({'reason': 'missing_key', 'column': column.name,
            'condition': column.name ~ '__typed is null'}) -%}
    {%- endfor -%}
    {%- for column in columns if column.places_in_time -%}
        {%- do checks.append({'reason': 'missing_timestamp', 'column': column.name,
            'condition': crm_clean_text('source_' ~ column.name) ~ ' is null'}) -%}
    {%- endfor -%}
    {%- for reason, types in [
        ('bad_timestamp', ['date', 'timestamp']),
        ('bad_number', ['money', 'integer', 'decimal']),
        ('bad_boolean', ['boolean']),
    ] -%}
        {%- for column in columns if column.crm_type in types -%}
            {%- do checks.append({'reason': reason, 'column': column.name,
                'condition': crm_clean_text('source_' ~ column.name) ~ ' is not null and '
                    ~ column.name ~ '__typed is null'}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for column in columns if column.min is not none or column.max is not none -%}
        {%- set bounds = [] -%}
        {%- if column.min is not none -%}{%- do bounds.append(column.name ~ '__typed < ' ~ column.min) -%}{%- endif -%}
        {%- if column.max is not none -%}{%- do bounds.append(column.name ~ '__typed > ' ~ column.max) -%}{%- endif -%}
        {%- do checks.append({'reason': 'out_of_range', 'column': column.name,
            'condition': '(' ~ bounds | join(' or ') ~ ')'}) -%}
    {%- endfor -%}
    {%- for column in columns if column.code_list -%}
        {%- do checks.append({'reason': 'unknown_code', 'column': column.name,
            'condition': crm_clean_text('source_' ~ column.name) ~ ' is not null and '
                ~ column.name ~ '__typed is null'}) -%}
    {%- endfor -%}
    {#- a version after the as-of night is not judged against that night's references (its
        customer may be new too): it is not_yet_valid, and checked on the night it belongs to -#}
    {%- set known_on_as_of = (' and coalesce(' ~ version_column ~ '__typed < ' ~ service_as_of_end() ~ ', true)')
        if version_column else '' -%}
    {%- for column_name in references -%}
        {%- do checks.append({'reason': 'orphan_reference', 'column': column_name,
            'condition': column_name ~ '__typed is not null and ' ~ column_name ~ '__ref.' ~ column_name ~ ' is null'
                ~ known_on_as_of}) -%}
    {%- endfor -%}
    {%- set hashed = [] -%}
    {%- for column in columns -%}
        {%- do hashed.append("coalesce(source_" ~ column.name ~ ", '\\N')") -%}
        {%- if not loop.last %}{% do hashed.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {%- set key_list = key | join(', ') -%}
    {%- set key_parts = [] -%}
    {%- for k in key -%}
        {%- do key_parts.append('source_' ~ k) -%}
        {%- if not loop.last %}{% do key_parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {%- set key_value = dbt.concat(key_parts) if key | length > 1 else key_parts[0] -%}

with

source as (

    select
        _load_id,
        _source_file,
        _file_sha256,
        _row_number,
        _loaded_at,
        _parse_error,
        _raw_line,
        {%- for column in columns %}
        {{ adapter.quote(column.name) }} as source_{{ column.name }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ source_relation }}

),

codes as (

    select * from {{ codes_relation }}

),

typed as (

    select
        source.*,
        {{ dbt.hash(dbt.concat(hashed)) }} as _row_hash,
        {%- for column in columns %}
        {%- set raw = 'source.source_' ~ column.name %}
        {%- if column.crm_type in ('key', 'text') %}
        {{ crm_clean_text(raw) }} as {{ column.name }}__typed
        {%- elif column.crm_type == 'email' %}
        lower({{ crm_clean_text(raw) }}) as {{ column.name }}__typed
        {%- elif column.crm_type == 'phone' %}
        {{ crm_clean_text(dbt.replace(dbt.replace(raw, "' '", "''"), "'　'", "''")) }} as {{ column.name }}__typed
        {%- elif column.crm_type == 'code' and column.code_list %}
        coalesce({{ column.name }}__code.code, {{ column.name }}__label.code) as {{ column.name }}__typed
        {%- elif column.crm_type == 'code' %}
        {{ crm_normalize_code(raw) }} as {{ column.name }}__typed
        {%- elif column.crm_type == 'date' %}
        {{ crm_parse_date(raw) }} as {{ column.name }}__typed
        {%- elif column.crm_type == 'timestamp' %}
        {{ crm_parse_timestamp(raw) }} as {{ column.name }}__typed
        {%- elif column.crm_type == 'money' %}
        {{ crm_parse_money(raw) }} as {{ column.name }}__typed
        {%- elif column.crm_type == 'integer' %}
        {{ crm_try_cast(crm_clean_text(raw), dbt.type_bigint()) }} as {{ column.name }}__typed
        {%- elif column.crm_type == 'decimal' %}
        {{ crm_try_cast(crm_clean_text(raw), 'decimal(18, 4)') }} as {{ column.name }}__typed
        {%- elif column.crm_type == 'boolean' %}
        {{ crm_parse_boolean(raw) }} as {{ column.name }}__typed
        {%- else %}
        {{ exceptions.raise_compiler_error(entity ~ '.' ~ column.name ~ ': unknown crm_type ' ~ column.crm_type) }}
        {%- endif %}{{ "," if not loop.last }}
        {%- endfor %}
    from source
    {#- a code matches by its code (normalized) or by its Chinese label: two equi-joins (a
        join on `code or label` cannot be hashed); both are unique within a code list and no
        label is another code's code, so at most one of them matches -#}
    {%- for column in columns if column.code_list %}
    left join codes as {{ column.name }}__code
        on
            {{ column.name }}__code.code_list = '{{ column.code_list }}'
            and lower({{ column.name }}__code.code) = {{ crm_normalize_code('source.source_' ~ column.name) }}
    left join codes as {{ column.name }}__label
        on
            {{ column.name }}__label.code_list = '{{ column.code_list }}'
            and {{ column.name }}__label.label_zh = trim(source.source_{{ column.name }})
    {%- endfor %}

),

checked as {{ crm_cte_not_materialized() }} (

    select
        typed._load_id,
        typed._source_file,
        typed._file_sha256,
        typed._row_number,
        typed._loaded_at,
        typed._raw_line,
        typed._row_hash,
        {{ key_value }} as _key_value,
        {%- for column in columns %}
        typed.{{ column.name }}__typed,
        {%- endfor %}
        case
            when typed._parse_error is not null then 'malformed_row'
            {%- for check in checks %}
            when {{ check.condition }} then '{{ check.reason }}'
            {%- endfor %}
        end as _invalid_reason,
        case
            {%- for check in checks %}
            when typed._parse_error is null and {{ check.condition }} then '{{ check.column }}'
            {%- endfor %}
        end as _quarantine_column,
        case
            when typed._parse_error is not null then typed._raw_line
            {%- for check in checks %}
            when {{ check.condition }} then typed.source_{{ check.column }}
            {%- endfor %}
        end as _quarantine_value
    from typed
    {%- for column_name, relation in references.items() %}
    left join (select distinct {{ column_name }} from {{ relation }}) as {{ column_name }}__ref
        on typed.{{ column_name }}__typed = {{ column_name }}__ref.{{ column_name }}
    {%- endfor %}

),

{#- The three rankings run on a narrow projection (row id, hash, key, version) and are
    joined back on the row id: a window holds every column it carries, and whole typed rows
    over 15.6 M orders (1,000,000 customers) ran out of a 6GB memory limit. `checked` is
    computed once per reference (crm_cte_not_materialized) for the same reason. -#}
deduplicated as (

    select
        _load_id,
        _row_number,
        {%- for k in key %}
        {{ k }}__typed,
        {%- endfor %}
        {%- if version_column %}
        {{ version_column }}__typed,
        {%- endif %}
        case
            when _invalid_reason is not null then 0
            when row_number() over (partition by _load_id, _row_hash order by _row_number) = 1 then 1
            else 0
        end as _is_first_copy,
        {%- if version_column %}
        case
            when {{ version_column }}__typed >= {{ service_as_of_end() }} then 1
            else 0
        end as _is_after_as_of
        {%- else %}
        0 as _is_after_as_of
        {%- endif %}
    from checked

),

versioned_in_load as (

    select
        deduplicated.*,
        row_number() over (
            partition by _load_id, _is_first_copy, _is_after_as_of, {% for k in key %}{{ k }}__typed{{ ", " if not loop.last }}{% endfor %}
            order by {{ (version_column ~ '__typed desc nulls last, ') if version_column }}_row_number desc
        ) as _version_rank_in_load
    from deduplicated

),

current_version as (

    select
        _load_id,
        _row_number,
        _is_first_copy,
        _is_after_as_of,
        _version_rank_in_load,
        case
            when _is_first_copy = 1 and _version_rank_in_load = 1
                then row_number() over (
                    partition by
                        _is_first_copy,
                        _is_after_as_of,
                        case when _version_rank_in_load = 1 then 1 else 0 end,
                        {% for k in key %}{{ k }}__typed{{ ", " if not loop.last }}{% endfor %}
                    order by {{ (version_column ~ '__typed desc nulls last, ') if version_column }}_load_id desc, _row_number desc
                )
        end as _version_rank
    from versioned_in_load

),

final as (

    select
        checked._load_id,
        checked._source_file,
        checked._file_sha256,
        checked._row_number,
        checked._loaded_at,
        checked._row_hash,
        {%- for column in columns %}
        checked.{{ column.name }}__typed as {{ column.name }},
        {%- endfor %}
        case
            when checked._invalid_reason is not null then checked._invalid_reason
            when current_version._is_first_copy = 0 then 'exact_duplicate'
            when current_version._is_after_as_of = 1 then null
            when current_version._version_rank_in_load > 1 then 'superseded'
        end as _quarantine_reason,
        case
            when checked._invalid_reason is not null then checked._quarantine_column
            when current_version._is_first_copy = 0 then '{{ key_list }}'
            when current_version._is_after_as_of = 0 and current_version._version_rank_in_load > 1 then '{{ key_list }}'
        end as _quarantine_column,
        case
            when checked._invalid_reason is not null then checked._quarantine_value
            when current_version._is_first_copy = 0 then checked._key_value
            when current_version._is_after_as_of = 0 and current_version._version_rank_in_load > 1
                then checked._key_value
        end as _quarantine_value,
        checked._raw_line,
        case
            when checked._invalid_reason is not null or current_version._is_first_copy = 0 then 'quarantined'
            when current_version._is_after_as_of = 1 then 'not_yet_valid'
            when current_version._version_rank_in_load > 1 then 'quarantined'
            when current_version._version_rank = 1 then 'staged'
            else 'replaced'
        end as _row_status
    from checked
    inner join current_version
        on
            checked._load_id = current_version._load_id
            and checked._row_number = current_version._row_number

)

select * from final
    {%- endif -%}
{%- endmacro %}
