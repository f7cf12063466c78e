{#- One row per child, year and inclusive category (rule 4), carrying the child's one sex and age
    group for that year (rule 7): what Q1, Q5 and Q6 count. -#}
with identified as (
    select * from {{ ref('int_children_identified_by_year') }}
    where is_cse or is_cce
),

final as (
    {%- set category_rules = {
        'CCE': 'is_cce',
        'CSE': 'is_cse',
        'Both': 'is_cce and is_cse',
        'Total': 'is_cce or is_cse',
    } %}
    {%- for category in foi_categories() %}
        select
            child_id,
            financial_year,
            '{{ category }}' as category,
            sex,
            age_group
        from identified
        where {{ category_rules[category] }}
        {{ "union all" if not loop.last }}
    {%- endfor %}
)

select * from final
