{{ wait_for_reference_seeds() }}

with source as (
    select * from {{ extract_relation('assessments') }}
),

cleaned as (
    select
        {{ clean_text('assessment_id') }} as assessment_id,
        {{ clean_text('referral_id') }} as referral_id,
        {{ clean_date('start_date') }} as start_date,
        {{ clean_date('authorised_date') }} as authorised_date,
        {{ clean_text('start_date') }} is null as is_missing_start_date,
        {{ is_invalid_date('start_date') }} as has_invalid_start_date,
        {{ is_invalid_date('authorised_date') }} as has_invalid_authorised_date,
        source_row_number,
        {{ unusual_source_row(
            extract_contract()['assessments'],
            [
                clean_text('assessment_id'),
                clean_text('referral_id'),
                clean_date('start_date'),
                clean_date('authorised_date')
            ]
        ) }} as unusual_source_row
    from source
),

row_checks as {{ materialized_cte() }} (
    select
        *,
        {{ first_failing_rule([
            ('assessment_id is null', 'assessment_id missing'),
            ('referral_id is null', 'referral_id missing'),
            ('is_missing_start_date', 'start_date missing'),
            ('has_invalid_start_date', unreadable_date_reason('start_date')),
            ('has_invalid_authorised_date', unreadable_date_reason('authorised_date')),
            ('start_date > ' ~ extract_date(), 'start_date after the extract date'),
        ]) }} as row_reason
    from cleaned
),

{{ duplicate_checks(
    'row_checks', ['assessment_id'], ['assessment_id', 'referral_id', 'start_date', 'authorised_date']
) }},

final as (
    select
        assessment_id,
        referral_id,
        start_date,
        authorised_date,
        source_row_number,
        unusual_source_row,
        {{ file_check_reason(['assessment_id']) }} as file_check_reason
    from with_duplicate_checks
)

select * from final
