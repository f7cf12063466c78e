{#- A file's row numbers: every number from 1 to the table's row count, each exactly once, so every row of
    the file is in the table once and no row is there twice. Fails with one row saying what is wrong. -#}
{% test numbers_every_row_once(model, column_name) %}
    with summary as (
        select
            count(*) as table_rows,
            count({{ column_name }}) as numbered_rows,
            min({{ column_name }}) as first_number,
            max({{ column_name }}) as last_number,
            {{ count_different_numbers(column_name) }} as different_numbers
        from {{ model }}
    )

    select *
    from summary
    where
        numbered_rows != table_rows
        or different_numbers != table_rows
        or (table_rows > 0 and (first_number != 1 or last_number != table_rows))
{% endtest %}


{#- How many different whole numbers a column holds (nulls aside). -#}
{% macro count_different_numbers(column_name) -%}
    {{ return(adapter.dispatch('count_different_numbers', 'foi_exploitation')(column_name)) }}
{%- endmacro %}


{% macro default__count_different_numbers(column_name) -%}
    count(distinct {{ column_name }})
{%- endmacro %}


{#- DuckDB: the numbers as one bit each (bitstring_agg), a tenth of the time of count(distinct) on a
    national file. -#}
{% macro duckdb__count_different_numbers(column_name) -%}
    coalesce(bit_count(bitstring_agg({{ column_name }})), 0)
{%- endmacro %}
