with assessments as (
    select * from {{ ref('stg_extract__assessments') }}
    where exclusion_reason is null
),

referrals as (
    select * from {{ ref('stg_extract__referrals') }}
    where exclusion_reason is null
),

children as (
    select * from {{ ref('stg_extract__children') }}
    where exclusion_reason is null
),

factors as (
    select * from {{ ref('stg_extract__assessment_factors') }}
    where exclusion_reason is null
),

financial_years as (
    select * from {{ ref('int_financial_years') }}
),

exploitation_factors as (
    select
        assessment_id,
        {{ dbt.bool_or("factor_code = " ~ sql_string(var('factor_code_cse'))) }} as has_cse_factor,
        {{ dbt.bool_or("factor_code = " ~ sql_string(var('factor_code_cce'))) }} as has_cce_factor,
        {{ dbt.bool_or("factor_code = " ~ sql_string(var('factor_code_gang'))) }} as has_gang_factor
    from factors
    -- The three codes only: the aggregate covers a few rows in a hundred, not the whole file.
    where
        factor_code in (
            {{ sql_string(var("factor_code_cse")) }},
            {{ sql_string(var("factor_code_cce")) }},
            {{ sql_string(var("factor_code_gang")) }}
        )
    group by assessment_id
),

-- Rule 2: completed (authorised) on or before the extract date; dated by its authorised date.
completed as (
    select
        assessments.assessment_id,
        referrals.child_id,
        assessments.authorised_date,
        children.date_of_birth,
        children.sex
    from assessments
    inner join referrals
        on assessments.referral_id = referrals.referral_id
    inner join children
        on referrals.child_id = children.child_id
    where
        assessments.authorised_date is not null
        and assessments.authorised_date <= {{ extract_date() }}
),

final as (
    select
        completed.assessment_id,
        completed.child_id,
        financial_years.financial_year,
        completed.authorised_date,
        completed.sex,
        -- Rule 6: no date of birth, or one after the assessment (an error), is an unknown age.
        case
            when completed.date_of_birth is null or completed.date_of_birth > completed.authorised_date
                then null
            else {{ age_in_years('completed.date_of_birth', 'completed.authorised_date') }}
        end as age_years,
        exploitation_factors.has_cse_factor,
        exploitation_factors.has_cce_factor,
        exploitation_factors.has_gang_factor
    from completed
    inner join financial_years
        on completed.authorised_date between financial_years.fy_start_date and financial_years.fy_end_date
    -- Rule 3: only assessments that record CSE, CCE or gangs can identify a child, so only they are kept.
    inner join exploitation_factors
        on completed.assessment_id = exploitation_factors.assessment_id
)

select
    *,
    coalesce(age_years < 18, true) as is_under_18
from final
