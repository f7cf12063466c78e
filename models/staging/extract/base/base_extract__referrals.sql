{{ wait_for_reference_seeds() }}

with source as (
    select * from {{ extract_relation('referrals') }}
),

cleaned as (
    select
        {{ clean_text('referral_id') }} as referral_id,
        {{ clean_text('child_id') }} as child_id,
        {{ clean_date('referral_date') }} as referral_date,
        {{ clean_date('closure_date') }} as closure_date,
        {{ clean_text('referral_date') }} is null as is_missing_referral_date,
        {{ is_invalid_date('referral_date') }} as has_invalid_referral_date,
        {{ is_invalid_date('closure_date') }} as has_invalid_closure_date,
        source_row_number,
        {{ unusual_source_row(
            extract_contract()['referrals'],
            [
                clean_text('referral_id'),
                clean_text('child_id'),
                clean_date('referral_date'),
                clean_date('closure_date')
            ]
        ) }} as unusual_source_row
    from source
),

row_checks as {{ materialized_cte() }} (
    select
        *,
        {{ first_failing_rule([
            ('referral_id is null', 'referral_id missing'),
            ('child_id is null', 'child_id missing'),
            ('is_missing_referral_date', 'referral_date missing'),
            ('has_invalid_referral_date', unreadable_date_reason('referral_date')),
            ('has_invalid_closure_date', unreadable_date_reason('closure_date')),
            ('referral_date > ' ~ extract_date(), 'referral_date after the extract date'),
        ]) }} as row_reason
    from cleaned
),

{{ duplicate_checks(
    'row_checks', ['referral_id'], ['referral_id', 'child_id', 'referral_date', 'closure_date']
) }},

final as (
    select
        referral_id,
        child_id,
        referral_date,
        closure_date,
        source_row_number,
        unusual_source_row,
        {{ file_check_reason(['referral_id']) }} as file_check_reason
    from with_duplicate_checks
)

select * from final
