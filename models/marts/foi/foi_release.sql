{#- Every number the council publishes: one row per question x financial year x category x breakdown.
    `children` is the true count and never leaves the database; `published` is what is released. Built only
    once dq_extract_checks finds every extract file fit to answer from. -#}
-- depends_on: {{ ref('dq_extract_checks') }}
with suppressed as (
    select * from {{ ref('int_cells_secondary_suppressed') }}
),

final as (
    select
        question,
        financial_year,
        category,
        breakdown,
        children,
        cast(
            case
                when children is null then '[x]'
                when is_withheld then '[c]'
                else cast(children as {{ dbt.type_string() }})
            end as {{ dbt.type_string() }}
        ) as published,
        sort_order
    from suppressed
)

select * from final
