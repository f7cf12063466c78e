with flags as (
    select * from {{ ref('stg_extract__exploitation_flags') }}
    where exclusion_reason is null
),

children as (
    select * from {{ ref('stg_extract__children') }}
    where exclusion_reason is null
),

financial_years as (
    select * from {{ ref('int_financial_years') }}
),

-- Rule 9: active on any day of the year, and the child under 18 on the later of the flag's start
-- and the year's start (an unknown date of birth counts, as in rule 6).
active as (
    select
        flags.child_id,
        financial_years.financial_year,
        flags.flag_type,
        children.date_of_birth,
        case
            when flags.start_date > financial_years.fy_start_date then flags.start_date
            else financial_years.fy_start_date
        end as age_reference_date
    from flags
    inner join financial_years
        on
            flags.start_date <= financial_years.fy_end_date
            and (flags.end_date is null or flags.end_date >= financial_years.fy_start_date)
    inner join children
        on flags.child_id = children.child_id
),

final as (
    select distinct
        child_id,
        financial_year,
        flag_type
    from active
    where
        date_of_birth is null
        or date_of_birth > age_reference_date
        or {{ age_in_years('date_of_birth', 'age_reference_date') }} < 18
)

select * from final
