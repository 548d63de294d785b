{% macro spark__load_csv_rows(model, agate_table) -%}
    {#- Overrides dbt-spark's seed loader, which binds every cell as '<python value>': an
        empty cell became the string 'None' (so not_null tests passed on it) and a quote in
        a cell broke the insert. Here each cell is a literal of crm_quote_literal: an empty
        cell is null, quotes and backslashes are escaped, then cast to the seed's type
        (`varchar` read as `string`, as in spark__create_csv_table). -#}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                (
                {%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    {%- set type = 'string' if type | lower in ('varchar', 'text') else type -%}
                    {%- set value = row[loop.index0] -%}
                    cast({{ crm_quote_literal(none if value is none or (value is string and value == '') else value) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%}
                ){%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}
