{#- Every cell the release will hold (Q1, Q3, Q5, Q6), with its true count and whether primary
    suppression withholds it: the input of secondary suppression. -#}
with q1 as (
    select * from {{ ref('fct_q1_children_by_category') }}
),

q3 as (
    select * from {{ ref('fct_q3_children_by_item') }}
),

q5 as (
    select * from {{ ref('fct_q5_children_by_sex') }}
),

q6 as (
    select * from {{ ref('fct_q6_children_by_age_group') }}
),

cells as (
    {%- for question, relation in [('Q1', 'q1'), ('Q5', 'q5'), ('Q6', 'q6')] %}
        select
            '{{ question }}' as question,
            financial_year,
            category,
            breakdown,
            children,
            financial_year_order,
            category_order,
            breakdown_order
        from {{ relation }}
        union all
    {%- endfor %}
    select
        'Q3' as question,
        financial_year,
        item as category,
        'All' as breakdown,
        children,
        financial_year_order,
        item_order as category_order,
        1 as breakdown_order
    from q3
),

final as (
    select
        question,
        financial_year,
        category,
        breakdown,
        children,
        {{ is_primary_suppression('children') }} as is_primary,
        cast(
            case question when 'Q1' then 1 when 'Q3' then 3 when 'Q5' then 5 else 6 end * 1000000
            + financial_year_order * 10000 + category_order * 100 + breakdown_order
            as {{ dbt.type_int() }}
        ) as sort_order
    from cells
)

select * from final
