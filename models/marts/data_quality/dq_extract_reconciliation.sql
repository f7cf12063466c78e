{%- set files = extract_contract().keys() | list %}

with
{% for file_name in files %}
    {{ file_name }}_outcomes as (
        select
            {{ sql_string(extract_file_name(file_name)) }} as file_name,
            sum(case when exclusion_reason is null then 1 else 0 end) as rows_used,
            sum(case when exclusion_reason is not null then 1 else 0 end) as rows_excluded
        from {{ ref('stg_extract__' ~ file_name) }}
    ),
{% endfor %}

rows_in as (
    select * from {{ ref('int_extract_rows_counted') }}
),

outcomes as (
    {%- for file_name in files %}
        select * from {{ file_name }}_outcomes
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

excluded_listed as (
    select
        file_name,
        count(*) as rows_listed_as_excluded
    from {{ ref('dq_extract_exclusions') }}
    group by file_name
),

final as (
    select
        rows_in.file_name,
        rows_in.file_order,
        rows_in.rows_in,
        coalesce(outcomes.rows_used, 0) as rows_used,
        coalesce(outcomes.rows_excluded, 0) as rows_excluded,
        coalesce(excluded_listed.rows_listed_as_excluded, 0) as rows_listed_as_excluded,
        rows_in.rows_in = coalesce(outcomes.rows_used, 0) + coalesce(outcomes.rows_excluded, 0)
        and coalesce(outcomes.rows_excluded, 0) = coalesce(excluded_listed.rows_listed_as_excluded, 0)
            as is_reconciled
    from rows_in
    left join outcomes
        on rows_in.file_name = outcomes.file_name
    left join excluded_listed
        on rows_in.file_name = excluded_listed.file_name
)

select * from final
