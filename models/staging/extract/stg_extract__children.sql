-- The root file, with no parent: its checks and its staging model are one table.
{{ config(materialized='table') }}

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
        {{ unusual_source_row(
            extract_contract()['children'],
            [clean_text('child_id'), clean_text('date_of_birth'), clean_code('sex')]
        ) }} as unusual_source_row
    from source
),

row_checks as {{ materialized_cte() }} (
    select
        *,
        {{ first_failing_rule([
            ('child_id is null', 'child_id missing'),
        ]) }} as row_reason
    from cleaned
),

{{ duplicate_checks('row_checks', ['child_id'], ['child_id', 'date_of_birth_recorded', 'sex_code']) }},

-- A child on rows that disagree is still one child (counting rule: every child counted): kept once, on
-- its first row, with the date of birth and sex the rows agree on, unknown where two of them differ
-- (an empty or unreadable value does not disagree). The other rows are listed as excluded.
versions_of_conflicting_children as (
    select
        child_id,
        source_row_number,
        date_of_birth,
        has_invalid_date_of_birth,
        case when {{ sex_label('sex_code') }} != 'Not known' then {{ sex_label('sex_code') }} end as known_sex,
        case when {{ sex_label('sex_code') }} != 'Not known' then sex_code end as known_sex_code
    from with_duplicate_checks
    where row_reason is null and not is_repeat and has_conflicting_versions
),

conflicting_children as (
    select
        child_id,
        min(source_row_number) as kept_row_number,
        case when count(distinct date_of_birth) = 1 then min(date_of_birth) end as date_of_birth,
        count(distinct date_of_birth) = 0 and max(case when has_invalid_date_of_birth then 1 else 0 end) = 1
            as has_invalid_date_of_birth,
        case when count(distinct known_sex) = 1 then max(known_sex_code) else 'U' end as sex_code
    from versions_of_conflicting_children
    group by child_id
),

resolved as (
    select
        with_duplicate_checks.child_id,
        with_duplicate_checks.source_row_number,
        with_duplicate_checks.unusual_source_row,
        with_duplicate_checks.date_of_birth_recorded,
        -- The row's own sex code, for its raw text: sex_code below is the child's, resolved across rows.
        with_duplicate_checks.sex_code as recorded_sex_code,
        coalesce(conflicting_children.has_invalid_date_of_birth, with_duplicate_checks.has_invalid_date_of_birth)
            as has_invalid_date_of_birth,
        conflicting_children.child_id is not null as has_conflicting_rows,
        coalesce(conflicting_children.kept_row_number, with_duplicate_checks.source_row_number)
            as kept_row_number,
        case
            when conflicting_children.child_id is null then with_duplicate_checks.date_of_birth
            else conflicting_children.date_of_birth
        end as date_of_birth,
        case
            when conflicting_children.child_id is null then with_duplicate_checks.sex_code
            else conflicting_children.sex_code
        end as sex_code,
        with_duplicate_checks.is_repeat,
        with_duplicate_checks.row_reason
    from with_duplicate_checks
    left join conflicting_children
        on with_duplicate_checks.child_id = conflicting_children.child_id
),

checked as (
    select
        child_id,
        source_row_number,
        unusual_source_row,
        date_of_birth_recorded,
        recorded_sex_code,
        date_of_birth,
        sex_code,
        {{ sex_label('sex_code') }} as sex,
        coalesce(sex_code in {{ contract_sex_codes() }}, true) as is_contract_sex_code,
        has_invalid_date_of_birth as has_unreadable_date_of_birth,
        has_conflicting_rows,
        coalesce(row_reason, {{ first_failing_rule([
            ('is_repeat', 'repeat of an identical row'),
            ('source_row_number != kept_row_number', 'another row for the same child_id (kept once: unknown where they disagree)'),
        ]) }}) as exclusion_reason
    from resolved
),

-- The raw row text only where the row is excluded: the exclusions list shows it; a used row is its columns.
final as (
    select
        child_id,
        source_row_number,
        {{ kept_if_excluded(source_row_from(
            'unusual_source_row', ['child_id', 'date_of_birth_recorded', 'recorded_sex_code']
        )) }} as source_row,
        date_of_birth,
        sex_code,
        sex,
        is_contract_sex_code,
        has_unreadable_date_of_birth,
        has_conflicting_rows,
        exclusion_reason
    from checked
)

select * from final
