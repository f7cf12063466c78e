{#- Method 2 of disclosure_control, the fallback that is safe by construction: hidden tables.
    Seeded with the withheld cells of the years in `years_cte`; yields dc_hidden_withheld. -#}
{% macro dc_hidden_table_method(seed_state, years_cte, threshold) -%}
    {%- set rounds = 2 %}
    dc_hidden as (
        select financial_year, breakdown, grp, column_order, 'A' as tbl, a as value
        from dc_columns where is_cce_year
        union all
        select financial_year, breakdown, grp, column_order, 'B' as tbl, b as value
        from dc_columns where is_cce_year
        union all
        select financial_year, breakdown, grp, column_order, 'C' as tbl, c as value
        from dc_columns where is_cce_year
        union all
        select financial_year, breakdown, grp, column_order, 'X' as tbl, x as value
        from dc_columns where not is_cce_year
    ),

    -- Which hidden tables make up each published category, in each year.
    dc_year_category_tables as (
        select distinct
            dc_hidden.financial_year,
            category_tables.category,
            category_tables.tbl
        from dc_hidden
        inner join (
            select 'CCE' as category, 'A' as tbl union all select 'CCE', 'C'
            union all select 'CSE', 'B' union all select 'CSE', 'C' union all select 'CSE', 'X'
            union all select 'Both', 'C'
            union all select 'Total', 'A' union all select 'Total', 'B' union all select 'Total', 'C'
        ) as category_tables
            on dc_hidden.tbl = category_tables.tbl
    ),

    -- A withheld CCE or CSE hides its own-only table; Both hides C; Total hides A and B.
    dc_hidden_seed as (
        select distinct
            seed.financial_year,
            seed.breakdown,
            yct.tbl
        from {{ seed_state }} as seed
        inner join dc_year_category_tables as yct
            on
                seed.financial_year = yct.financial_year
                and seed.category = yct.category
        where
            seed.financial_year in (select financial_year from {{ years_cte }})
            and (
                seed.category = 'Both' and yct.tbl = 'C'
                or seed.category = 'CCE' and yct.tbl = 'A'
                or seed.category = 'CSE' and yct.tbl in ('B', 'X')
                or seed.category = 'Total' and yct.tbl in ('A', 'B')
            )
    ),

    dc_hidden_state_0 as (
        {{ dc_close('dc_hidden_seed') }}
    ),

    {%- set state = namespace(name='dc_hidden_state_0', step=0) %}
    {%- for round in range(rounds) %}
    {%- for tbl in ['C', 'A', 'B', 'X'] %}
    {%- set next_name = 'dc_hidden_state_' ~ (state.step + 1) %}
    {{ dc_protect_table(state.name, next_name, tbl, threshold) }},
    {%- set state.name = next_name %}
    {%- set state.step = state.step + 1 %}
    {%- endfor %}
    {%- set next_name = 'dc_hidden_state_' ~ (state.step + 1) %}
    {{ dc_unknown_in_each_group(state.name, next_name) }},
    {%- set state.name = next_name %}
    {%- set state.step = state.step + 1 %}
    {%- endfor %}

    -- Safety net: a withheld cell whose range is still below the threshold.
    {{ dc_cell_ranges(state.name, 'dc_ranges_before_net') }},

    dc_net_escalations as (
        select distinct
            dc_ranges_before_net.financial_year,
            'All' as breakdown,
            unknowns.tbl
        from dc_ranges_before_net
        inner join dc_year_category_tables
            on
                dc_ranges_before_net.financial_year = dc_year_category_tables.financial_year
                and dc_ranges_before_net.category = dc_year_category_tables.category
        inner join {{ state.name }} as unknowns
            on
                dc_ranges_before_net.financial_year = unknowns.financial_year
                and dc_ranges_before_net.breakdown = unknowns.breakdown
                and dc_year_category_tables.tbl = unknowns.tbl
        where dc_ranges_before_net.is_withheld and dc_ranges_before_net.cell_range < {{ threshold }}
    ),

    dc_net_added as (
        select * from {{ state.name }}
        union
        select * from dc_net_escalations
    ),

    dc_net_closed as (
        {{ dc_close('dc_net_added') }}
    ),

    {{ dc_unknown_in_each_group('dc_net_closed', 'dc_hidden_final') }},

    dc_hidden_withheld as (
        select distinct
            dc_year_category_tables.financial_year,
            dc_hidden_final.breakdown,
            dc_year_category_tables.category
        from dc_year_category_tables
        inner join dc_hidden_final
            on
                dc_year_category_tables.financial_year = dc_hidden_final.financial_year
                and dc_year_category_tables.tbl = dc_hidden_final.tbl
    )
{%- endmacro %}


{#- Closure: C unknown at a column makes A and B unknown there (all four cells are withheld). -#}
{% macro dc_close(unknowns) -%}
    select financial_year, breakdown, tbl from {{ unknowns }}
    union
    select financial_year, breakdown, 'A' as tbl from {{ unknowns }} where tbl = 'C'
    union
    select financial_year, breakdown, 'B' as tbl from {{ unknowns }} where tbl = 'C'
{%- endmacro %}


{#- For every column and table of a state: how many more cells would be withheld if the table
    became unknown there (C brings A and B with it). -#}
{% macro dc_costs(state, name) -%}
    {{ name }}_withheld as (
        select distinct
            yct.financial_year,
            unknowns.breakdown,
            yct.category
        from {{ state }} as unknowns
        inner join dc_year_category_tables as yct
            on
                unknowns.financial_year = yct.financial_year
                and unknowns.tbl = yct.tbl
    ),

    {{ name }} as (
        select
            hidden.financial_year,
            hidden.breakdown,
            hidden.tbl,
            count(distinct case when withheld.category is null then yct.category end) as added_cells
        from dc_hidden as hidden
        inner join dc_year_category_tables as yct
            on
                hidden.financial_year = yct.financial_year
                and (yct.tbl = hidden.tbl or (hidden.tbl = 'C' and yct.tbl in ('A', 'B')))
        left join {{ name }}_withheld as withheld
            on
                hidden.financial_year = withheld.financial_year
                and hidden.breakdown = withheld.breakdown
                and yct.category = withheld.category
        group by hidden.financial_year, hidden.breakdown, hidden.tbl
    )
{%- endmacro %}


{#- One pass for one table: each group of a year where the table is known at All and its unknown
    values are fewer than two or sum below the threshold takes the fewest further columns; a group
    that cannot reach it makes the table unknown at All. -#}
{% macro dc_protect_table(state, next_state, tbl, threshold) -%}
    {{ next_state }}_groups as (
        select
            hidden.financial_year,
            hidden.grp,
            count(unknowns.tbl) as unknown_columns,
            coalesce(sum(case when unknowns.tbl is not null then hidden.value end), 0) as unknown_sum,
            count(*) as all_columns,
            sum(hidden.value) as all_sum
        from dc_hidden as hidden
        left join {{ state }} as unknowns
            on
                hidden.financial_year = unknowns.financial_year
                and hidden.breakdown = unknowns.breakdown
                and hidden.tbl = unknowns.tbl
        where
            hidden.tbl = '{{ tbl }}'
            and hidden.grp <> 'all'
            and not exists (
                select 1 from {{ state }} as at_all
                where
                    at_all.financial_year = hidden.financial_year
                    and at_all.breakdown = 'All'
                    and at_all.tbl = '{{ tbl }}'
            )
        group by hidden.financial_year, hidden.grp
        having
            count(unknowns.tbl) >= 1
            and (
                count(unknowns.tbl) < 2
                or coalesce(sum(case when unknowns.tbl is not null then hidden.value end), 0) < {{ threshold }}
            )
    ),

    {{ dc_costs(state, next_state ~ '_costs') }},

    {{ next_state }}_candidates as (
        select
            candidates.financial_year,
            candidates.breakdown,
            candidates.value,
            groups.unknown_columns,
            groups.unknown_sum,
            groups.all_columns,
            groups.all_sum,
            row_number() over (
                partition by candidates.financial_year, candidates.grp
                order by costs.added_cells, candidates.value desc, candidates.column_order
            ) as candidate_rank,
            sum(candidates.value) over (
                partition by candidates.financial_year, candidates.grp
                order by costs.added_cells, candidates.value desc, candidates.column_order
                rows between unbounded preceding and 1 preceding
            ) as sum_before
        from dc_hidden as candidates
        inner join {{ next_state }}_groups as groups
            on
                candidates.financial_year = groups.financial_year
                and candidates.grp = groups.grp
        inner join {{ next_state }}_costs as costs
            on
                candidates.financial_year = costs.financial_year
                and candidates.breakdown = costs.breakdown
                and candidates.tbl = costs.tbl
        where
            candidates.tbl = '{{ tbl }}'
            and not exists (
                select 1 from {{ state }} as current_unknowns
                where
                    current_unknowns.financial_year = candidates.financial_year
                    and current_unknowns.breakdown = candidates.breakdown
                    and current_unknowns.tbl = '{{ tbl }}'
            )
    ),

    {{ next_state }}_added as (
        select * from {{ state }}
        union
        -- Further columns, while the group still falls short.
        select financial_year, breakdown, '{{ tbl }}' as tbl
        from {{ next_state }}_candidates
        where
            all_columns >= 2
            and all_sum >= {{ threshold }}
            and (
                unknown_columns + candidate_rank - 1 < 2
                or unknown_sum + coalesce(sum_before, 0) < {{ threshold }}
            )
        union
        -- The whole group cannot reach the threshold: the table becomes unknown at All.
        select financial_year, 'All' as breakdown, '{{ tbl }}' as tbl
        from {{ next_state }}_groups
        where all_columns < 2 or all_sum < {{ threshold }}
    ),

    {{ next_state }} as (
        {{ dc_close(next_state ~ '_added') }}
    )
{%- endmacro %}


{#- A table unknown at All needs an unknown value in each group (the cheapest column otherwise),
    so that its values have no upper limit. -#}
{% macro dc_unknown_in_each_group(state, next_state) -%}
    {{ dc_costs(state, next_state ~ '_costs') }},

    {{ next_state }}_missing as (
        select
            candidates.financial_year,
            candidates.breakdown,
            candidates.tbl,
            row_number() over (
                partition by candidates.financial_year, candidates.grp, candidates.tbl
                order by costs.added_cells, candidates.value desc, candidates.column_order
            ) as candidate_rank
        from dc_hidden as candidates
        inner join {{ next_state }}_costs as costs
            on
                candidates.financial_year = costs.financial_year
                and candidates.breakdown = costs.breakdown
                and candidates.tbl = costs.tbl
        inner join {{ state }} as at_all
            on
                candidates.financial_year = at_all.financial_year
                and candidates.tbl = at_all.tbl
                and at_all.breakdown = 'All'
        where
            candidates.grp <> 'all'
            and not exists (
                select 1
                from {{ state }} as current_unknowns
                inner join dc_hidden as same_group
                    on
                        current_unknowns.financial_year = same_group.financial_year
                        and current_unknowns.breakdown = same_group.breakdown
                        and current_unknowns.tbl = same_group.tbl
                where
                    current_unknowns.financial_year = candidates.financial_year
                    and current_unknowns.tbl = candidates.tbl
                    and same_group.grp = candidates.grp
            )
    ),

    {{ next_state }}_added as (
        select * from {{ state }}
        union
        select financial_year, breakdown, tbl from {{ next_state }}_missing where candidate_rank = 1
    ),

    {{ next_state }} as (
        {{ dc_close(next_state ~ '_added') }}
    )
{%- endmacro %}


{#- The range of every cell of Q1/Q5/Q6 under a state: the sum over its unknown tables of each
    table's range there (no limit for a table unknown at All). -#}
{% macro dc_cell_ranges(state, name) -%}
    {{ name }}_group_stats as (
        select
            unknowns.financial_year,
            hidden.grp,
            unknowns.tbl,
            count(*) as unknown_columns,
            sum(hidden.value) as unknown_sum
        from {{ state }} as unknowns
        inner join dc_hidden as hidden
            on
                unknowns.financial_year = hidden.financial_year
                and unknowns.breakdown = hidden.breakdown
                and unknowns.tbl = hidden.tbl
        where hidden.grp <> 'all'
        group by unknowns.financial_year, hidden.grp, unknowns.tbl
    ),

    {{ name }} as (
        select
            dc_cells.financial_year,
            dc_cells.category,
            dc_cells.breakdown,
            count(unknowns.tbl) > 0 as is_withheld,
            sum(
                case
                    when unknowns.tbl is null then 0
                    when at_all.tbl is not null then 1000000000
                    when stats.unknown_columns >= 2 then stats.unknown_sum
                    else 0
                end
            ) as cell_range
        from dc_cells
        inner join dc_year_category_tables as yct
            on
                dc_cells.financial_year = yct.financial_year
                and dc_cells.category = yct.category
        left join {{ state }} as unknowns
            on
                dc_cells.financial_year = unknowns.financial_year
                and dc_cells.breakdown = unknowns.breakdown
                and yct.tbl = unknowns.tbl
        left join {{ state }} as at_all
            on
                dc_cells.financial_year = at_all.financial_year
                and at_all.breakdown = 'All'
                and yct.tbl = at_all.tbl
        left join {{ name }}_group_stats as stats
            on
                dc_cells.financial_year = stats.financial_year
                and dc_cells.grp = stats.grp
                and yct.tbl = stats.tbl
        group by dc_cells.financial_year, dc_cells.category, dc_cells.breakdown
    )
{%- endmacro %}
