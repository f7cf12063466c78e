-- Rule 7: one sex and one age per child per year, so for every year and category the Q5 breakdowns
-- and the Q6 breakdowns each add up to the Q1 cell (not-available cells are not-available throughout).
with release as (
    select * from {{ ref('foi_release') }}
),

q1 as (
    select financial_year, category, children
    from release
    where question = 'Q1'
),

breakdown_sums as (
    select
        question,
        financial_year,
        category,
        sum(children) as children_summed,
        count(children) as cells_available,
        count(*) as cells
    from release
    where question in ('Q5', 'Q6')
    group by question, financial_year, category
)

select
    breakdown_sums.*,
    q1.children as q1_children
from breakdown_sums
inner join q1
    on
        breakdown_sums.financial_year = q1.financial_year
        and breakdown_sums.category = q1.category
where
    (q1.children is null and breakdown_sums.cells_available > 0)
    or (q1.children is not null and breakdown_sums.cells_available < breakdown_sums.cells)
    or (q1.children is not null and breakdown_sums.children_summed <> q1.children)
