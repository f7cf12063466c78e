with source as (
    select * from {{ extract_relation('children') }}
),

cleaned as (
    select
        {{ clean_text('child_id') }} as child_id,
        {{ clean_text('date_of_birth') }} as date_of_birth_recorded,
        {{ clean_date('date_of_birth') }} as date_of_birth,
        {{ clean_code('sex') }} as sex_code,
        {{ is_invalid_date('date_of_birth') }} as has_invalid_date_of_birth,
        source_row_number,
        {{ source_row_text(extract_contract()['children']) }} as source_row
    from source
),

row_checks as (
    select
        *,
        {{ first_failing_rule([
            ('child_id is null', 'child_id missing'),
            ('has_invalid_date_of_birth', 'date_of_birth is not a YYYY-MM-DD date'),
        ]) }} as row_reason
    from cleaned
),

{{ duplicate_checks('row_checks', ['child_id'], ['child_id', 'date_of_birth_recorded', 'sex_code']) }},

checked as (
    select
        child_id,
        source_row_number,
        source_row,
        date_of_birth,
        sex_code,
        {{ sex_label('sex_code') }} as sex,
        coalesce(sex_code in ('M', 'F', 'U', '1', '2', '0', '9'), true) as is_contract_sex_code,
        coalesce(row_reason, {{ first_failing_rule([
            ('copy_number > 1', 'repeat of an identical row'),
            ('key_versions > 1', 'child_id appears on rows with different values'),
        ]) }}) as exclusion_reason
    from with_duplicate_checks
),

-- The raw row text only where the row is excluded: the exclusions list shows it; a used row is its columns.
final as (
    select
        child_id,
        source_row_number,
        {{ kept_if_excluded('source_row') }} as source_row,
        date_of_birth,
        sex_code,
        sex,
        is_contract_sex_code,
        exclusion_reason
    from checked
)

select * from final
