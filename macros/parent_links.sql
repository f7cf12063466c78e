{#- Each file's rows hang from a parent file by a key (and the parent row's name in the reasons): a row whose
    parent is not a used row of the parent file is excluded. children is the root. The file's own checks
    (base_extract__<file>) need no parent, so the four files are checked side by side; only the parent links
    (base_extract__unmatched_<file>, base_extract__orphan_<file>) wait, and they read key columns of tables,
    never a file. -#}
{% macro extract_parents() -%}
    {{ return({
        'referrals': ('children', 'child_id', 'child'),
        'assessments': ('referrals', 'referral_id', 'referral'),
        'assessment_factors': ('assessments', 'assessment_id', 'assessment'),
        'exploitation_flags': ('children', 'child_id', 'child'),
    }) }}
{%- endmacro %}


{#- For a file's own checks that do not read the reference seeds: start them with the factor file's, not
    before them. dbt starts nodes level by level, then by name, and assessment_factors (whose codes are
    checked against cin_factor_codes) is a level below the seeds: without this the other files' checks took
    both threads first and the largest file started last (README, Speed). Scheduling only: nothing is read. -#}
{% macro wait_for_reference_seeds() -%}
    -- depends_on: {{ ref('cin_factor_codes') }} (wait_for_reference_seeds: scheduling only)
{%- endmacro %}


{#- Why a row's parent does not hold it, when its key is on rows of the parent file but none of them is used. -#}
{% macro parent_row_excluded_reason(file_name) -%}
    {{ return("'its " ~ extract_parents()[file_name][2] ~ " row is excluded'") }}
{%- endmacro %}


{#- Rules a row is held to once its parent is known: (condition on base_extract__<file>'s columns, reason)
    pairs, after the parent's rule in the first-failing order. Code 21 ("no factors identified") must stand
    alone: beside other factors it is contradictory (base_extract__assessment_factors marks those rows). -#}
{% macro rules_after_parent(file_name) -%}
    {{ return({
        'assessment_factors': [
            ('file_rows.is_21_beside_other_factors', 'factor 21 (no factors identified) beside other factors'),
        ],
    }.get(file_name, [])) }}
{%- endmacro %}


{#- The rows that pass their own file's checks but whose key is on no parent row that passes the parent's
    own checks (for a child of the root file: on no used row of it), each with the reason: the key is on no
    row of the parent file, or only on excluded rows. Needs the two files' own checks only, not the parent's
    parent link, so it runs as soon as both files are checked. An anti-join on the parent's keys: no
    aggregate over the whole parent file, only over the keys on its other rows. -#}
{% macro unmatched_rows(file_name) -%}
    {%- set parent_file_name, key_column = extract_parents()[file_name][:2] -%}
    {%- if parent_file_name in extract_parents() -%}
        {%- set parent_relation = ref('base_extract__' ~ parent_file_name) -%}
        {%- set parent_passes = 'file_check_reason is null' -%}
    {%- else -%}
        {%- set parent_relation = ref('stg_extract__' ~ parent_file_name) -%}
        {%- set parent_passes = 'exclusion_reason is null' -%}
    {%- endif -%}
with rows_passing_file_checks as (
    select
        source_row_number,
        {{ key_column }}
    from {{ ref('base_extract__' ~ file_name) }}
    where file_check_reason is null
),

parent_rows as {{ materialized_cte() }} (
    select
        {{ key_column }},
        {{ parent_passes }} as is_matching
    from {{ parent_relation }}
),

matching_parents as (
    select {{ key_column }} from parent_rows
    where is_matching
),

parents_on_other_rows as (
    select distinct {{ key_column }} from parent_rows
    where not is_matching and {{ key_column }} is not null
),

final as (
    select
        rows_passing_file_checks.source_row_number,
        case
            when parents_on_other_rows.{{ key_column }} is null
                then '{{ key_column }} not in {{ parent_file_name }}.csv'
            else {{ parent_row_excluded_reason(file_name) }}
        end as parent_reason
    from rows_passing_file_checks
    left join parents_on_other_rows
        on rows_passing_file_checks.{{ key_column }} = parents_on_other_rows.{{ key_column }}
    where not exists (
        select 1 from matching_parents
        where matching_parents.{{ key_column }} = rows_passing_file_checks.{{ key_column }}
    )
)

select * from final
{%- endmacro %}


{#- base_extract__orphan_<file>: the rows that pass their own file's checks but whose parent is not a used
    row of the parent file, with the reason. Under the root file that is unmatched_rows. Further down, a
    parent row is used when it passes its own checks and is no orphan itself, so the orphans are the
    unmatched rows (base_extract__unmatched_<file>, built beside the chain) and the rows whose parent row is
    an orphan: a join on the parent's orphan keys, usually few, is all that waits for the chain. A parent
    file with rules after its own parent (rules_after_parent) would need those rows too: the build stops
    rather than keep rows under a parent excluded by such a rule. -#}
{% macro orphan_rows(file_name) -%}
    {%- set parent_file_name, key_column = extract_parents()[file_name][:2] -%}
    {%- if rules_after_parent(parent_file_name) -%}
        {{ exceptions.raise_compiler_error(
            "orphan_rows('" ~ file_name ~ "'): its parent file " ~ parent_file_name ~ " has rules after its own"
            ~ " parent (rules_after_parent), which the parent link does not read: add those rows to"
            ~ " orphan_parent_keys first.") }}
    {%- endif -%}
    {%- if parent_file_name not in extract_parents() -%}
{{ unmatched_rows(file_name) }}
    {%- else -%}
with unmatched as (
    select
        source_row_number,
        parent_reason
    from {{ ref('base_extract__unmatched_' ~ file_name) }}
),

orphan_parent_keys as (
    select parent_rows.{{ key_column }}
    from {{ ref('base_extract__' ~ parent_file_name) }} as parent_rows
    inner join {{ ref('base_extract__orphan_' ~ parent_file_name) }} as parent_orphans
        on parent_rows.source_row_number = parent_orphans.source_row_number
),

-- A parent orphan passes its own checks, so its key is unique there and is not an unmatched row's key.
rows_under_orphan_parents as (
    select
        file_rows.source_row_number,
        {{ parent_row_excluded_reason(file_name) }} as parent_reason
    from {{ ref('base_extract__' ~ file_name) }} as file_rows
    inner join orphan_parent_keys
        on file_rows.{{ key_column }} = orphan_parent_keys.{{ key_column }}
    where file_rows.file_check_reason is null
),

final as (
    select * from unmatched
    union all
    select * from rows_under_orphan_parents
)

select * from final
    {%- endif -%}
{%- endmacro %}


{#- stg_extract__<file> for a file with a parent: a view of every row of base_extract__<file> with its
    exclusion_reason, the first of its own file's check, its parent's (base_extract__orphan_<file>), then the
    rules after the parent; the raw row text rebuilt on excluded rows only. Columns in the staging models'
    order: the file's first column, source_row_number, source_row, its other columns, the reason. -#}
{% macro staging_view(file_name) -%}
    {%- set columns = extract_contract()[file_name] -%}
    {%- set rules = rules_after_parent(file_name) -%}
with checked as (
    select
        file_rows.*,
        coalesce(
            file_rows.file_check_reason,
            orphans.parent_reason
            {%- if rules %},
            {{ first_failing_rule(rules) }}
            {%- endif %}
        ) as exclusion_reason
    from {{ ref('base_extract__' ~ file_name) }} as file_rows
    left join {{ ref('base_extract__orphan_' ~ file_name) }} as orphans
        on file_rows.source_row_number = orphans.source_row_number
),

final as (
    select
        {{ columns[0] }},
        source_row_number,
        {{ kept_if_excluded(source_row_from('unusual_source_row', columns)) }} as source_row,
        {%- for column in columns[1:] %}
        {{ column }},
        {%- endfor %}
        exclusion_reason
    from checked
)

select * from final
{%- endmacro %}
