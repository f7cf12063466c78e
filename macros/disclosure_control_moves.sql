{#- Method 1 of disclosure_control: protection by moves. See macros/disclosure_control.sql. -#}

{#- The directions a move can take (changes of hidden counts A, B, C, X per unit) and the published
    categories each direction changes; every possible move of at least the threshold, once. -#}
{% macro dc_pair_base_ctes(threshold) -%}
    {%- set unlimited = 100000000 %}
    dc_directions as (
        select 'A' as direction, 1 as direction_order, 1 as ha, 0 as hb, 0 as hc, 0 as hx, true as for_cce_years
        union all select 'B', 2, 0, 1, 0, 0, true
        union all select 'Both-Total', 3, -1, -1, 1, 0, true
        union all select 'CCE-CSE', 4, 1, -1, 0, 0, true
        union all select 'CCE-Both', 5, 0, -1, 1, 0, true
        union all select 'CSE-Both', 6, -1, 0, 1, 0, true
        union all select 'C', 7, 0, 0, 1, 0, true
        union all select 'A+B', 8, 1, 1, 0, 0, true
        union all select 'X', 9, 0, 0, 0, 1, false
    ),

    dc_direction_categories as (
        select 'A' as direction, 'CCE' as category
        union all select 'A', 'Total'
        union all select 'B', 'CSE'
        union all select 'B', 'Total'
        union all select 'Both-Total', 'Both'
        union all select 'Both-Total', 'Total'
        union all select 'CCE-CSE', 'CCE'
        union all select 'CCE-CSE', 'CSE'
        union all select 'CCE-Both', 'CCE'
        union all select 'CCE-Both', 'Both'
        union all select 'CSE-Both', 'CSE'
        union all select 'CSE-Both', 'Both'
        union all select 'C', 'CCE'
        union all select 'C', 'CSE'
        union all select 'C', 'Both'
        union all select 'C', 'Total'
        union all select 'A+B', 'CCE'
        union all select 'A+B', 'CSE'
        union all select 'A+B', 'Total'
        union all select 'X', 'CSE'
    ),

    -- How far one unit of a direction can go up or down at a column before a hidden count is negative.
    dc_capacity as (
        select
            col.financial_year,
            col.breakdown,
            col.grp,
            col.column_order,
            dir.direction,
            dir.direction_order,
            least(
                case when dir.ha = -1 then col.a else {{ unlimited }} end,
                case when dir.hb = -1 then col.b else {{ unlimited }} end,
                case when dir.hc = -1 then col.c else {{ unlimited }} end,
                case when dir.hx = -1 then col.x else {{ unlimited }} end
            ) as up_capacity,
            least(
                case when dir.ha = 1 then col.a else {{ unlimited }} end,
                case when dir.hb = 1 then col.b else {{ unlimited }} end,
                case when dir.hc = 1 then col.c else {{ unlimited }} end,
                case when dir.hx = 1 then col.x else {{ unlimited }} end
            ) as down_capacity
        from dc_columns as col
        inner join dc_directions as dir
            on col.is_cce_year = dir.for_cce_years
    ),

    -- A move: up at one column and down at another of the same group, or up at All and at one
    -- column of each group. Its size is how far it can go either way: kept when >= the threshold.
    dc_moves as (
        select
            first_column.financial_year,
            first_column.direction,
            first_column.direction_order,
            first_column.breakdown as column_1,
            second_column.breakdown as column_2,
            cast(null as {{ dbt.type_string() }}) as column_3,
            first_column.column_order * 1000000 + second_column.column_order * 1000 as move_order,
            least(first_column.up_capacity, second_column.down_capacity)
            + least(first_column.down_capacity, second_column.up_capacity) as move_size
        from dc_capacity as first_column
        inner join dc_capacity as second_column
            on
                first_column.financial_year = second_column.financial_year
                and first_column.direction = second_column.direction
                and first_column.grp = second_column.grp
                and first_column.column_order < second_column.column_order
        where first_column.grp <> 'all'
        union all
        select
            at_all.financial_year,
            at_all.direction,
            at_all.direction_order,
            at_all.breakdown as column_1,
            sex_column.breakdown as column_2,
            age_column.breakdown as column_3,
            at_all.column_order * 1000000 + sex_column.column_order * 1000 + age_column.column_order as move_order,
            least(at_all.up_capacity, sex_column.up_capacity, age_column.up_capacity)
            + least(at_all.down_capacity, sex_column.down_capacity, age_column.down_capacity) as move_size
        from dc_capacity as at_all
        inner join dc_capacity as sex_column
            on
                at_all.financial_year = sex_column.financial_year
                and at_all.direction = sex_column.direction
                and sex_column.grp = 'sex'
        inner join dc_capacity as age_column
            on
                at_all.financial_year = age_column.financial_year
                and at_all.direction = age_column.direction
                and age_column.grp = 'age'
        where at_all.grp = 'all'
    ),

    dc_usable_moves as (
        select
            *,
            {{ dbt.concat(["financial_year", "'|'", "direction", "'|'", "column_1", "'|'", "column_2",
                           "'|'", "coalesce(column_3, '')"]) }} as move_key
        from dc_moves
        where move_size >= {{ threshold }}
    ),

    -- Every cell a move changes.
    dc_move_cells as (
        select moves.move_key, moves.financial_year, columns_moved.breakdown, categories.category
        from dc_usable_moves as moves
        inner join (
            select move_key, column_1 as breakdown from dc_usable_moves
            union all
            select move_key, column_2 from dc_usable_moves
            union all
            select move_key, column_3 from dc_usable_moves where column_3 is not null
        ) as columns_moved
            on moves.move_key = columns_moved.move_key
        inner join dc_direction_categories as categories
            on moves.direction = categories.direction
    )
{%- endmacro %}


{#- Under a state (the withheld cells): how many cells each move still needs withheld, and whether
    each withheld cell has a move that needs none (it is protected). -#}
{% macro dc_pair_protection(state, name) -%}
    {{ name }}_move_cost as (
        select
            move_cells.move_key,
            count(case when withheld.category is null then 1 end) as cells_to_withhold,
            count(case when withheld.category is null and move_cells.breakdown = 'All' then 1 end)
            as q1_cells_to_withhold
        from dc_move_cells as move_cells
        left join {{ state }} as withheld
            on
                move_cells.financial_year = withheld.financial_year
                and move_cells.breakdown = withheld.breakdown
                and move_cells.category = withheld.category
        group by move_cells.move_key
    ),

    {{ name }}_cells as (
        select
            withheld.financial_year,
            withheld.breakdown,
            withheld.category,
            coalesce({{ dbt.bool_or('move_cost.cells_to_withhold = 0') }}, false) as is_protected
        from {{ state }} as withheld
        left join dc_move_cells as move_cells
            on
                withheld.financial_year = move_cells.financial_year
                and withheld.breakdown = move_cells.breakdown
                and withheld.category = move_cells.category
        left join {{ name }}_move_cost as move_cost
            on move_cells.move_key = move_cost.move_key
        group by withheld.financial_year, withheld.breakdown, withheld.category
    )
{%- endmacro %}


{#- One pass: per year, the first unprotected withheld cell (smallest count first) takes the move
    that needs the fewest further cells withheld; between equals, the one that withholds fewest Q1
    cells, then the one that also protects the most other unprotected cells, then the largest. -#}
{% macro dc_pair_pass(state, next_state, threshold) -%}
    {{ dc_pair_protection(state, next_state ~ '_check') }},

    {{ next_state }}_target as (
        select
            checked.financial_year,
            checked.breakdown,
            checked.category,
            row_number() over (
                partition by checked.financial_year
                order by
                    case when checked.breakdown = 'All' then 0 else 1 end,
                    cells.children,
                    cells.column_order,
                    cells.category_order
            ) as target_rank
        from {{ next_state }}_check_cells as checked
        inner join dc_cells as cells
            on
                checked.financial_year = cells.financial_year
                and checked.breakdown = cells.breakdown
                and checked.category = cells.category
        where not checked.is_protected
    ),

    -- For each move: how many withheld cells it would protect that have no protection yet.
    {{ next_state }}_move_reach as (
        select
            move_cells.move_key,
            count(*) as unprotected_cells_reached
        from dc_move_cells as move_cells
        inner join {{ next_state }}_check_cells as checked
            on
                move_cells.financial_year = checked.financial_year
                and move_cells.breakdown = checked.breakdown
                and move_cells.category = checked.category
        where not checked.is_protected
        group by move_cells.move_key
    ),

    {{ next_state }}_choice as (
        select
            moves.move_key,
            row_number() over (
                partition by target.financial_year
                -- Fewest cells; between equals, keep the Q1 totals the requester most wants published.
                order by
                    move_cost.cells_to_withhold,
                    move_cost.q1_cells_to_withhold,
                    reach.unprotected_cells_reached desc,
                    moves.move_size desc,
                    moves.direction_order,
                    moves.move_order
            ) as choice_rank
        from {{ next_state }}_target as target
        inner join dc_move_cells as move_cells
            on
                target.financial_year = move_cells.financial_year
                and target.breakdown = move_cells.breakdown
                and target.category = move_cells.category
        inner join dc_usable_moves as moves
            on move_cells.move_key = moves.move_key
        inner join {{ next_state }}_check_move_cost as move_cost
            on moves.move_key = move_cost.move_key
        inner join {{ next_state }}_move_reach as reach
            on moves.move_key = reach.move_key
        where target.target_rank = 1
    ),

    {{ next_state }} as (
        select financial_year, breakdown, category from {{ state }}
        union
        select move_cells.financial_year, move_cells.breakdown, move_cells.category
        from {{ next_state }}_choice as choice
        inner join dc_move_cells as move_cells
            on choice.move_key = move_cells.move_key
        where choice.choice_rank = 1
    )
{%- endmacro %}


{#- One pruning pass: per year, release one secondary cell if every other withheld cell keeps a move
    that lies entirely within the withheld cells without it (Q1 cells first, then the largest). -#}
{% macro dc_pair_prune(state, next_state, threshold) -%}
    {{ dc_pair_protection(state, next_state ~ '_check') }},

    -- Moves that lie entirely within the withheld cells, and the withheld cells each one changes.
    {{ next_state }}_complete_moves as (
        select move_cells.move_key, move_cells.financial_year, move_cells.breakdown, move_cells.category
        from dc_move_cells as move_cells
        inner join {{ next_state }}_check_move_cost as move_cost
            on move_cells.move_key = move_cost.move_key
        where move_cost.cells_to_withhold = 0
    ),

    {{ next_state }}_moves_per_cell as (
        select financial_year, breakdown, category, count(distinct move_key) as complete_moves
        from {{ next_state }}_complete_moves
        group by financial_year, breakdown, category
    ),

    -- For a cell that could be released and another withheld cell: how many of the other's moves use it.
    {{ next_state }}_dependence as (
        select
            released.financial_year,
            released.breakdown as released_breakdown,
            released.category as released_category,
            other.breakdown,
            other.category,
            count(distinct other.move_key) as moves_lost
        from {{ next_state }}_complete_moves as released
        inner join {{ next_state }}_complete_moves as other
            on released.move_key = other.move_key
        group by
            released.financial_year, released.breakdown, released.category, other.breakdown, other.category
    ),

    {{ next_state }}_releasable as (
        select
            candidate.financial_year,
            candidate.breakdown,
            candidate.category,
            row_number() over (
                partition by candidate.financial_year
                order by
                    case when candidate.breakdown = 'All' then 0 else 1 end,
                    cells.children desc,
                    cells.column_order,
                    cells.category_order
            ) as release_rank
        from {{ state }} as candidate
        inner join dc_cells as cells
            on
                candidate.financial_year = cells.financial_year
                and candidate.breakdown = cells.breakdown
                and candidate.category = cells.category
        where
            cells.children not between 1 and {{ threshold }}
            and not exists (
                select 1
                from {{ next_state }}_moves_per_cell as per_cell
                left join {{ next_state }}_dependence as dependence
                    on
                        per_cell.financial_year = dependence.financial_year
                        and per_cell.breakdown = dependence.breakdown
                        and per_cell.category = dependence.category
                        and dependence.released_breakdown = candidate.breakdown
                        and dependence.released_category = candidate.category
                where
                    per_cell.financial_year = candidate.financial_year
                    and not (per_cell.breakdown = candidate.breakdown and per_cell.category = candidate.category)
                    and per_cell.complete_moves - coalesce(dependence.moves_lost, 0) <= 0
            )
            -- Every other withheld cell must have had a complete move to begin with.
            and not exists (
                select 1
                from {{ state }} as other
                left join {{ next_state }}_moves_per_cell as per_cell
                    on
                        other.financial_year = per_cell.financial_year
                        and other.breakdown = per_cell.breakdown
                        and other.category = per_cell.category
                where
                    other.financial_year = candidate.financial_year
                    and not (other.breakdown = candidate.breakdown and other.category = candidate.category)
                    and per_cell.complete_moves is null
            )
    ),

    {{ next_state }} as (
        select state_cells.financial_year, state_cells.breakdown, state_cells.category
        from {{ state }} as state_cells
        left join {{ next_state }}_releasable as releasable
            on
                state_cells.financial_year = releasable.financial_year
                and state_cells.breakdown = releasable.breakdown
                and state_cells.category = releasable.category
                and releasable.release_rank = 1
        where releasable.category is null
    )
{%- endmacro %}
