{#- Each file's rows hang from a parent file by a key (and the parent row's name in the reasons): a row whose
    parent is not a used row of the parent file is excluded. children is the root. The file's own checks
    (base_extract__<file>) need no parent, so the four files are checked side by side; only the parent links
    (base_extract__orphan_<file>) wait, and they read two columns of tables, never a file. -#}
{% macro extract_parents() -%}
    {{ return({
        'referrals': ('children', 'child_id', 'child'),
        'assessments': ('referrals', 'referral_id', 'referral'),
        'assessment_factors': ('assessments', 'assessment_id', 'assessment'),
        'exploitation_flags': ('children', 'child_id', 'child'),
    }) }}
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


{#- A select of a file's rows with their exclusion_reason: the root file's staging table as it is; any
    other file's checked rows with the first reason of its own file's checks, its parent's, then the rules
    after the parent. Reads tables only (never the staging views), so a parent link waits for no view's
    tests. -#}
{% macro rows_with_exclusion_reason(file_name) -%}
    {%- if file_name not in extract_parents() -%}
    select * from {{ ref('stg_extract__' ~ file_name) }}
    {%- else -%}
        {%- set rules = rules_after_parent(file_name) %}
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
    {%- endif -%}
{%- endmacro %}


{#- base_extract__orphan_<file>: the rows that pass their own file's checks but whose parent is not a used
    row of the parent file, each with the reason: its key is on no row of the parent file, or only on
    excluded rows. An anti-join on the parent's used keys: no aggregate over the whole parent file, only over
    the keys on its excluded rows. -#}
{% macro orphan_rows(file_name) -%}
    {%- set parent_file_name, key_column, parent_noun = extract_parents()[file_name] -%}
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
        exclusion_reason is null as is_used
    from ({{ rows_with_exclusion_reason(parent_file_name) }}) as parent_file_rows
),

used_parents as (
    select {{ key_column }} from parent_rows
    where is_used
),

parents_on_excluded_rows as (
    select distinct {{ key_column }} from parent_rows
    where not is_used and {{ key_column }} is not null
),

final as (
    select
        rows_passing_file_checks.source_row_number,
        case
            when parents_on_excluded_rows.{{ key_column }} is null
                then '{{ key_column }} not in {{ parent_file_name }}.csv'
            else 'its {{ parent_noun }} row is excluded'
        end as parent_reason
    from rows_passing_file_checks
    left join parents_on_excluded_rows
        on rows_passing_file_checks.{{ key_column }} = parents_on_excluded_rows.{{ key_column }}
    where not exists (
        select 1 from used_parents
        where used_parents.{{ key_column }} = rows_passing_file_checks.{{ key_column }}
    )
)

select * from final
{%- endmacro %}


{#- stg_extract__<file> for a file with a parent: a view of every row of base_extract__<file> with its
    exclusion_reason (rows_with_exclusion_reason), the raw row text rebuilt on excluded rows only. Columns in
    the staging models' order: the file's first column, source_row_number, source_row, its other columns,
    the reason. -#}
{% macro staging_view(file_name) -%}
    {%- set columns = extract_contract()[file_name] -%}
with checked as (
    {{ rows_with_exclusion_reason(file_name) }}
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
