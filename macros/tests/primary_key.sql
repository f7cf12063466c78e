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
        group by {{ columns | join(', ') }}
        having count(*) > 1
    )

    select * from rows_with_a_null
    union all
    select * from repeated_keys
{% endtest %}
