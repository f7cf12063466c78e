-- Rule 4: the categories are inclusive, so in Q1 Total = CCE + CSE - Both (where the four cells are
-- available), and in every slice (Q1, each sex, each age group) Both is at most CCE and at most CSE.
with release as (
    select * from {{ ref('foi_release') }}
    where question in ('Q1', 'Q5', 'Q6')
),

by_slice as (
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
from by_slice
where
    (question = 'Q1' and total <> cce + cse - both_categories)
    or (question = 'Q1' and (total is null) <> (cce is null))
    or (cce is null) <> (both_categories is null)
    or both_categories > cce
    or both_categories > cse
