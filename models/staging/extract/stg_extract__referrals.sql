with source as (
    select * from {{ extract_relation('referrals') }}
),

used_children as (
    {{ used_keys('stg_extract__children', 'child_id') }}
),

children_on_excluded_rows as (
    {{ keys_on_excluded_rows('stg_extract__children', 'child_id') }}
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

checked as (
    select
        with_duplicate_checks.referral_id,
        with_duplicate_checks.source_row_number,
        with_duplicate_checks.unusual_source_row,
        with_duplicate_checks.child_id,
        with_duplicate_checks.referral_date,
        with_duplicate_checks.closure_date,
        coalesce(with_duplicate_checks.row_reason, {{ first_failing_rule([
            ('with_duplicate_checks.is_repeat', 'repeat of an identical row'),
            ('with_duplicate_checks.has_conflicting_versions', 'referral_id appears on rows with different values'),
            (
                'used_children.child_id is null and children_on_excluded_rows.child_id is null',
                'child_id not in children.csv'
            ),
            ('used_children.child_id is null', 'its child row is excluded'),
        ]) }}) as exclusion_reason
    from with_duplicate_checks
    left join used_children
        on with_duplicate_checks.child_id = used_children.child_id
    left join children_on_excluded_rows
        on with_duplicate_checks.child_id = children_on_excluded_rows.child_id
),

-- The raw row text only where the row is excluded: the exclusions list shows it; a used row is its columns.
final as (
    select
        referral_id,
        source_row_number,
        {{ kept_if_excluded(source_row_from(
            'unusual_source_row', extract_contract()['referrals']
        )) }} as source_row,
        child_id,
        referral_date,
        closure_date,
        exclusion_reason
    from checked
)

select * from final
