-- Rule 1 and release.md: every question x financial year x category x breakdown is a row, even where
-- the count is zero, and there is no other row.
{%- set breakdowns_by_question = {
    'Q1': ['All'],
    'Q5': sex_breakdowns(),
    'Q6': age_group_breakdowns(),
} %}

with financial_years as (
    select financial_year from {{ ref('int_financial_years') }}
),

expected as (
    {%- for question, breakdowns in breakdowns_by_question.items() %}
    {%- for category in foi_categories() %}
    {%- for breakdown in breakdowns %}
    select '{{ question }}' as question, financial_year, '{{ category }}' as category, '{{ breakdown }}' as breakdown
    from financial_years
    union all
    {%- endfor %}
    {%- endfor %}
    {%- endfor %}
    select 'Q3' as question, financial_years.financial_year, items.item as category, 'All' as breakdown
    from financial_years
    cross join {{ ref('council_q3_items') }} as items
),

release as (
    select question, financial_year, category, breakdown from {{ ref('foi_release') }}
),

missing as (
    select 'missing' as problem, * from expected
    except
    select 'missing' as problem, * from release
),

unexpected as (
    select 'unexpected' as problem, * from release
    except
    select 'unexpected' as problem, * from expected
)

select * from missing
union all
select * from unexpected
