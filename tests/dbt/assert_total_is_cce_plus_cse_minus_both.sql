-- Rule 4: the categories are inclusive, so in every question, year and breakdown
-- Total = CCE + CSE - Both (checked wherever the four cells are available).
with release as (
    select * from {{ ref('foi_release') }}
    where question in ('Q1', 'Q5', 'Q6')
),

by_cell as (
    select
        question,
        financial_year,
        breakdown,
        max(case when category = 'CCE' then children end) as cce,
        max(case when category = 'CSE' then children end) as cse,
        max(case when category = 'Both' then children end) as both_categories,
        max(case when category = 'Total' then children end) as total
    from release
    group by question, financial_year, breakdown
)

select *
from by_cell
where
    total is not null
    and total <> cce + cse - both_categories
    or (total is null) <> (cce is null)
    or (total is null) <> (both_categories is null)
