{#- The model's grain in one test, one scan: fails for each row with a null in a key column (or in
    `also_not_null`), and for each key on more than one row. Replaces a not_null test per column plus a
    unique test: a dbt build runs a node per test, and on the default data a node costs more than its
    query. -#}
{% test primary_key(model, columns, also_not_null=[]) %}
    with rows_with_a_null as (
        select
            {{ columns | join(', ') }},
            'a key or required column is null' as failure,
            1 as rows_with_key
        from {{ model }}
        where
        {%- for column in columns + also_not_null %}
            {{ "or " if not loop.first }}{{ column }} is null
        {%- endfor %}
    ),

    repeated_keys as (
        select
            {{ columns | join(', ') }},
            'the key is on more than one row' as failure,
            count(*) as rows_with_key
        from {{ model }}
        {{ rows_that_may_share_a_key(model, columns) }}
        group by {{ columns | join(', ') }}
        having count(*) > 1
    )

    select * from rows_with_a_null
    union all
    select * from repeated_keys
{% endtest %}


{#- A where clause keeping the rows that may share a key with another, so that only they are grouped by the
    key's columns. DuckDB: the rows whose key hash is on more than one row (a hash of fixed width groups in
    a third less time than the key's text at national size; rows that only share a hash are then told
    apart by the key itself). Elsewhere every row. -#}
{% macro rows_that_may_share_a_key(model, columns) -%}
    {{ return(adapter.dispatch('rows_that_may_share_a_key', 'foi_exploitation')(model, columns)) }}
{%- endmacro %}


{% macro default__rows_that_may_share_a_key(model, columns) -%}
{%- endmacro %}


{% macro duckdb__rows_that_may_share_a_key(model, columns) -%}
    where hash({{ columns | join(', ') }}) in (
        select hash({{ columns | join(', ') }}) as key_hash
        from {{ model }}
        group by key_hash
        having count(*) > 1
    )
{%- endmacro %}
