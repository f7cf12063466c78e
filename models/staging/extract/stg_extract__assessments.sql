with source as (
    select * from {{ extract_relation('assessments') }}
),

used_referrals as (
    {{ used_keys('stg_extract__referrals', 'referral_id') }}
),

referrals_on_excluded_rows as (
    {{ keys_on_excluded_rows('stg_extract__referrals', 'referral_id') }}
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

checked as (
    select
        with_duplicate_checks.assessment_id,
        with_duplicate_checks.source_row_number,
        with_duplicate_checks.unusual_source_row,
        with_duplicate_checks.referral_id,
        with_duplicate_checks.start_date,
        with_duplicate_checks.authorised_date,
        coalesce(with_duplicate_checks.row_reason, {{ first_failing_rule([
            ('with_duplicate_checks.is_repeat', 'repeat of an identical row'),
            ('with_duplicate_checks.has_conflicting_versions', 'assessment_id appears on rows with different values'),
            (
                'used_referrals.referral_id is null and referrals_on_excluded_rows.referral_id is null',
                'referral_id not in referrals.csv'
            ),
            ('used_referrals.referral_id is null', 'its referral row is excluded'),
        ]) }}) as exclusion_reason
    from with_duplicate_checks
    left join used_referrals
        on with_duplicate_checks.referral_id = used_referrals.referral_id
    left join referrals_on_excluded_rows
        on with_duplicate_checks.referral_id = referrals_on_excluded_rows.referral_id
),

-- The raw row text only where the row is excluded: the exclusions list shows it; a used row is its columns.
final as (
    select
        assessment_id,
        source_row_number,
        {{ kept_if_excluded(source_row_from(
            'unusual_source_row', extract_contract()['assessments']
        )) }} as source_row,
        referral_id,
        start_date,
        authorised_date,
        exclusion_reason
    from checked
)

select * from final
