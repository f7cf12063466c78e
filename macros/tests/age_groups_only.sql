{#- accepted_values for a column of age groups: the labels come from the var age_group_starts, so they are
    worked out here (YAML cannot call a macro). Nulls pass (a not-null test says otherwise). -#}
{% test age_groups_only(model, column_name, also=[]) %}
    {%- set allowed = also + age_group_breakdowns() %}
    select
        {{ column_name }} as value_outside_the_age_groups,
        count(*) as rows_with_value
    from {{ model }}
    where
        {{ column_name }} is not null
        and {{ column_name }} not in (
            {%- for label in allowed %}{{ sql_string(label) }}{{ ", " if not loop.last }}{% endfor -%}
        )
    group by {{ column_name }}
{% endtest %}
