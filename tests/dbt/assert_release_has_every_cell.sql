-- Rule 1 and the release's shape: every question x financial year x category x breakdown is a row, even
-- where the count is zero, and there is no other row. Q5 and Q6 give CCE, CSE and Both; Total is in Q1 only.
{%- set tables = {
    'Q1': (foi_categories(), ['All']),
    'Q5': (breakdown_categories(), sex_breakdowns()),
    'Q6': (breakdown_categories(), age_group_breakdowns()),
} %}

with financial_years as (
    select financial_year from {{ ref('int_financial_years') }}
),

expected as (
    {%- for question, (categories, breakdowns) in tables.items() %}
    {%- for category in categories %}
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
