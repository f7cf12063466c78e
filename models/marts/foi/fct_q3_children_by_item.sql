with financial_years as (
    select * from {{ ref('int_financial_years') }}
),

items as (
    select * from {{ ref('council_q3_items') }}
),

identified as (
    select * from {{ ref('int_children_identified_by_year') }}
),

active_flags as (
    select * from {{ ref('int_flags_active_by_year') }}
),

-- Rule 9: gang is factor 13A or a GANG flag; county lines and OCG are flags only.
children_by_item as (
    select
        child_id,
        financial_year,
        'Gang' as item
    from identified
    where is_gang_factor
    union all
    select
        child_id,
        financial_year,
        'Gang' as item
    from active_flags
    where flag_type = 'GANG'
    union all
    select
        child_id,
        financial_year,
        'County lines' as item
    from active_flags
    where flag_type = 'COUNTY_LINES'
    union all
    select
        child_id,
        financial_year,
        'OCG' as item
    from active_flags
    where flag_type = 'OCG'
),

counts as (
    select
        financial_year,
        item,
        count(distinct child_id) as children
    from children_by_item
    group by financial_year, item
),

final as (
    select
        financial_years.financial_year,
        items.item,
        cast(
            case when items.held then coalesce(counts.children, 0) end as {{ dbt.type_int() }}
        ) as children,
        items.held as is_held,
        financial_years.is_provisional,
        financial_years.financial_year_order,
        items.item_order
    from financial_years
    cross join items
    left join counts
        on
            financial_years.financial_year = counts.financial_year
            and items.item = counts.item
)

select * from final
