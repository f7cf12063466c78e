with qualifying as (
    select * from {{ ref('int_assessments_qualifying') }}
    -- Rule 6: a child counts on an assessment only while under 18 on its authorised date.
    where is_under_18 and (has_cse_factor or has_cce_factor or has_gang_factor)
),

identified as (
    select
        child_id,
        financial_year,
        sex,
        {{ dbt.bool_or('has_cse_factor') }} as is_cse,
        {{ dbt.bool_or('has_cce_factor') }} as is_cce,
        {{ dbt.bool_or('has_gang_factor') }} as is_gang_factor
    from qualifying
    group by child_id, financial_year, sex
),

-- Rule 7: one age per child per year, from the earliest qualifying CSE or CCE assessment.
earliest_exploitation_assessment as (
    select
        child_id,
        financial_year,
        age_years,
        row_number() over (
            partition by child_id, financial_year
            order by authorised_date, assessment_id
        ) as assessment_sequence
    from qualifying
    where has_cse_factor or has_cce_factor
),

final as (
    select
        identified.child_id,
        identified.financial_year,
        identified.sex,
        earliest.age_years,
        case
            when identified.is_cse or identified.is_cce then {{ age_group('earliest.age_years') }}
        end as age_group,
        identified.is_cse,
        identified.is_cce,
        identified.is_gang_factor
    from identified
    left join earliest_exploitation_assessment as earliest
        on
            identified.child_id = earliest.child_id
            and identified.financial_year = earliest.financial_year
            and earliest.assessment_sequence = 1
)

select * from final
