{#- Q1, Q5 and Q6 in one shape: every financial year x category x breakdown, the number of
    individual children (rule 5), zero where none, null where CCE was not recorded (rule 8).
    breakdown_column names a column of int_children_categorised_by_year (none for Q1's 'All');
    categories defaults to Q1's. -#}
{% macro count_children_by_category(breakdown_column=none, breakdown_labels=['All'], categories=none) -%}
with financial_years as (
    select * from {{ ref('int_financial_years') }}
),

categorised as (
    select * from {{ ref('int_children_categorised_by_year') }}
),

categories as (
    {{ labels_table('category', categories or foi_categories()) }}
),

breakdowns as (
    {{ labels_table('breakdown', breakdown_labels) }}
),

counts as (
    select
        financial_year,
        category,
        {{ breakdown_column if breakdown_column else "'All'" }} as breakdown,
        count(distinct child_id) as children
    from categorised
    group by 1, 2, 3
),

final as (
    select
        financial_years.financial_year,
        categories.category,
        breakdowns.breakdown,
        cast(
            case
                when categories.category = 'CSE' or financial_years.is_cce_recorded
                    then coalesce(counts.children, 0)
            end as {{ dbt.type_int() }}
        ) as children,
        financial_years.is_provisional,
        financial_years.financial_year_order,
        categories.category_order,
        breakdowns.breakdown_order
    from financial_years
    cross join categories
    cross join breakdowns
    left join counts
        on
            financial_years.financial_year = counts.financial_year
            and categories.category = counts.category
            and breakdowns.breakdown = counts.breakdown
)

select * from final
{%- endmacro %}
