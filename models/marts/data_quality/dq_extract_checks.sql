{#- Whether each extract file is fit to answer from: a required file with no usable row, or any file with
    more than max_excluded_share of its rows excluded, stops the build here, naming the file and its
    commonest reasons. Without it, dates in an unexpected form would exclude every row, the reconciliation
    would balance and the release would say 0 everywhere. foi_release depends on this model. -#}
{%- set max_share = var('max_excluded_share') %}
{%- if execute and (max_share is boolean or max_share is not number or max_share < 0 or max_share > 1) %}
    {{ exceptions.raise_compiler_error(
        "vars: max_excluded_share must be a number from 0 to 1 (0.05 is 5 per cent), not '" ~ max_share ~ "'.") }}
{%- endif %}
{%- set required = [] %}
{%- for file_name in extract_contract() if file_name not in extract_optional_files() %}
    {%- do required.append(sql_string(extract_file_name(file_name))) %}
{%- endfor %}

with reconciliation as (
    select * from {{ ref('dq_extract_reconciliation') }}
),

ranked_reasons as (
    select
        file_name,
        exclusion_reason,
        rows_excluded,
        row_number() over (partition by file_name order by rows_excluded desc, exclusion_reason asc) as reason_rank
    from {{ ref('dq_extract_exclusion_reasons') }}
),

commonest_reasons as (
    select
        file_name,
        {{ dbt.listagg(
            dbt.concat(["exclusion_reason", "' ('", dbt.cast("rows_excluded", dbt.type_string()), "')'"]),
            "'; '",
            "order by reason_rank"
        ) }} as reasons
    from ranked_reasons
    where reason_rank <= 3
    group by file_name
),

-- A child with an unreadable date of birth is kept (age Not recorded), so it is not an exclusion; but a
-- file where most are unreadable would move most children to Not recorded, so it counts towards the share.
unreadable_dates_of_birth as (
    select
        {{ sql_string(extract_file_name('children')) }} as file_name,
        sum(case when has_unreadable_date_of_birth then 1 else 0 end) as rows_with_unreadable_date
    from {{ ref('stg_extract__children') }}
    where exclusion_reason is null
),

-- Several factor codes in one field ("11A,12A,4A", as some systems export) are not one bad row but a file
-- in another layout: never dropped quietly, the build stops at the first.
factor_lists as (
    select
        {{ sql_string(extract_file_name('assessment_factors')) }} as file_name,
        count(*) as rows_with_factor_lists,
        min(source_row_number) as first_row_with_factor_list
    from {{ ref('stg_extract__assessment_factors') }}
    where exclusion_reason = 'several factor codes in one field (the contract has one code per row)'
),

checked as (
    select
        reconciliation.file_name,
        reconciliation.file_order,
        reconciliation.rows_in,
        reconciliation.rows_used,
        reconciliation.rows_excluded,
        coalesce(unreadable_dates_of_birth.rows_with_unreadable_date, 0) as rows_with_unreadable_date,
        coalesce(factor_lists.rows_with_factor_lists, 0) as rows_with_factor_lists,
        factor_lists.first_row_with_factor_list,
        case
            when reconciliation.rows_in = 0 then 0.0
            else 1.0 * reconciliation.rows_excluded / reconciliation.rows_in
        end as share_excluded,
        case
            when reconciliation.rows_in = 0 then 0.0
            else 1.0 * coalesce(unreadable_dates_of_birth.rows_with_unreadable_date, 0) / reconciliation.rows_in
        end as share_unreadable_date,
        reconciliation.file_name in ({{ required | join(', ') }}) as is_required,
        coalesce(commonest_reasons.reasons, '') as commonest_reasons
    from reconciliation
    left join commonest_reasons
        on reconciliation.file_name = commonest_reasons.file_name
    left join unreadable_dates_of_birth
        on reconciliation.file_name = unreadable_dates_of_birth.file_name
    left join factor_lists
        on reconciliation.file_name = factor_lists.file_name
),

problems as (
    select
        file_name,
        file_order,
        rows_in,
        rows_used,
        rows_excluded,
        rows_with_unreadable_date,
        rows_with_factor_lists,
        share_excluded,
        is_required,
        commonest_reasons,
        case
            when is_required and rows_used = 0 then {{ dbt.concat([
                "file_name", "': no usable row ('", dbt.cast("rows_in", dbt.type_string()),
                "' read'", "case when commonest_reasons != '' then '; ' || commonest_reasons else '' end",
                "'). Check the file against docs/extract-contract.md (dates: the extract_date_format var).'"
            ]) }}
            when rows_with_factor_lists > 0 then {{ dbt.concat([
                "file_name", "': row '", dbt.cast("first_row_with_factor_list", dbt.type_string()), "' (and '",
                dbt.cast("rows_with_factor_lists - 1", dbt.type_string()),
                "' more) holds several factor codes in one field: give one code per row (docs/extract-contract.md).'"
            ]) }}
            when share_excluded > {{ max_share }} then {{ dbt.concat([
                "file_name", "': '", dbt.cast("rows_excluded", dbt.type_string()), "' of '",
                dbt.cast("rows_in", dbt.type_string()), "' rows excluded, more than max_excluded_share = "
                ~ max_share ~ "; commonest: '", "commonest_reasons",
                "'. Check the file against docs/extract-contract.md (dates: the extract_date_format var).'"
            ]) }}
            when share_unreadable_date > {{ max_share }} then {{ dbt.concat([
                "file_name", "': date_of_birth is not a " ~ extract_date_format() ~ " date on '",
                dbt.cast("rows_with_unreadable_date", dbt.type_string()), "' of '",
                dbt.cast("rows_in", dbt.type_string()), "' rows, more than max_excluded_share = " ~ max_share
                ~ ". Set the extract_date_format var to the form the file uses.'"
            ]) }}
        end as problem
    from checked
),

-- The first problem in the contract's file order stops the build: one message, the same on every run.
first_problem as (
    select problem
    from problems
    where problem is not null
    order by file_order
    limit 1
),

final as (
    select
        problems.file_name,
        problems.file_order,
        problems.rows_in,
        problems.rows_used,
        problems.rows_excluded,
        problems.rows_with_unreadable_date,
        problems.rows_with_factor_lists,
        problems.share_excluded,
        problems.is_required,
        problems.commonest_reasons,
        case
            when first_problem.problem is not null then {{ stop_build('first_problem.problem') }}
            else 'fit to answer from'
        end as outcome
    from problems
    left join first_problem
        on true
)

select * from final
