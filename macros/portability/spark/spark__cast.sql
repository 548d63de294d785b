{% macro spark__cast(field, type) -%}
    {#- dbt.cast on Spark, reading the portable type names of this project's YAML (model
        contracts' data_type, seed column_types): `varchar` / `text` are `string` on Spark,
        which rejects a varchar without a length. dbt's contract check casts null to each
        declared data_type through this macro. -#}
    {%- set spark_type = 'string' if type | trim | lower in ('varchar', 'text') else type -%}
    cast({{ field }} as {{ spark_type }})
{%- endmacro %}
