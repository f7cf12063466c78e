{#- Fails for each row where any of the columns is null: one query for all of a model's required columns,
    instead of one test (and one scan) per column. -#}
{% test not_null_columns(model, columns) %}
    select *
    from {{ model }}
    where
    {%- for column in columns %}
        {{ "or " if not loop.first }}{{ column }} is null
    {%- endfor %}
{% endtest %}
