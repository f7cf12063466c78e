with source as (
    select * from {{ extract_relation('assessment_factors') }}
),

factor_codes as (
    select factor_code from {{ ref('cin_factor_codes') }}
),

cleaned as (
    select
        {{ clean_text('assessment_id') }} as assessment_id,
        {{ clean_code('factor_code') }} as factor_code,
        source_row_number,
        {{ unusual_source_row(
            extract_contract()['assessment_factors'],
            [
                clean_text('assessment_id'),
                clean_code('factor_code')
            ]
        ) }} as unusual_source_row
    from source
),

row_checks as {{ materialized_cte() }} (
    select
        cleaned.*,
        {{ first_failing_rule([
            ('cleaned.assessment_id is null', 'assessment_id missing'),
            ('cleaned.factor_code is null', 'factor_code missing'),
            (
                "cleaned.factor_code like '%,%' or cleaned.factor_code like '%;%' or cleaned.factor_code like '%|%'"
                ~ " or cleaned.factor_code like '% %'",
                'several factor codes in one field (the contract has one code per row)'
            ),
            ('factor_codes.factor_code is null', 'factor_code is not a CIN census factor code'),
        ]) }} as row_reason
    from cleaned
    left join factor_codes
        on cleaned.factor_code = factor_codes.factor_code
),

{{ duplicate_checks('row_checks', [], ['assessment_id', 'factor_code']) }},

-- Code 21 ("no factors identified") must stand alone: beside other factors it is contradictory. Found from
-- the few assessments with a 21, so the check costs little however large the file. Read from the row checks (a
-- repeat row is still a 21 or still another factor): with_duplicate_checks then has one reader and is not
-- computed into memory first.
assessments_with_21 as (
    select distinct assessment_id
    from row_checks
    where row_reason is null and factor_code = '21'
),

assessments_with_21_beside_others as (
    select distinct assessment_id
    from row_checks
    where
        row_reason is null
        and factor_code != '21'
        and assessment_id in (select assessments_with_21.assessment_id from assessments_with_21)
),

-- The 21 rule comes after the parent's in the staging view (rules_after_parent in macros/parent_links.sql):
-- here the rows are only marked.
final as (
    select
        with_duplicate_checks.assessment_id,
        with_duplicate_checks.factor_code,
        with_duplicate_checks.source_row_number,
        with_duplicate_checks.unusual_source_row,
        {{ file_check_reason([], 'with_duplicate_checks') }} as file_check_reason,
        with_duplicate_checks.factor_code = '21' and contradicted.assessment_id is not null
            as is_21_beside_other_factors
    from with_duplicate_checks
    left join assessments_with_21_beside_others as contradicted
        on with_duplicate_checks.assessment_id = contradicted.assessment_id
)

select * from final
