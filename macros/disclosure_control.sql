{#-
  Disclosure control for the release: which cells are withheld as [c].

  Primary: a count from 1 to var('suppression_threshold'); zeros are published.
  Secondary: Q1, Q5 and Q6 of one financial year are linked (each breakdown adds up to Q1; in every
  breakdown Total = CCE + CSE - Both, so Both <= CCE, CSE), and are protected together. Per breakdown
  column the counts are sums of three hidden, disjoint counts: A = CCE only, B = CSE only, C = Both
  (CCE = A + C, CSE = B + C, Both = C, Total = A + B + C); in a year before CCE was recorded only
  X = CSE is published.

  Method 1, moves (dc_pair_*): a withheld cell is protected when a "move" changes it by at least the
  threshold while every published number and relation stays true: the same change of hidden counts
  (a direction, e.g. one more Both child and one fewer CSE-only child: CCE and Both change together)
  added at one column and taken from another column of the same group, or added at All and at one
  column of each group. A move only touches withheld cells, and non-negativity bounds its size. Each
  pass takes, per year, the first unprotected withheld cell (smallest count first) and withholds the
  fewest further cells that give it a move of at least the threshold (between equals: fewest Q1
  cells, so the totals the requester most wants stay published); the cells that move gets are
  protected by it too. Then as many pruning passes release, per year, one secondary cell whose
  release leaves every other withheld cell a move (Q1 cells first). After var('disclosure_passes')
  passes, a year with a withheld cell still unprotected falls back to:

  Method 2, hidden tables (dc_hidden_*), safe by construction: a hidden table is "unknown" at a column
  when a withheld cell uses it there. Known at All, its unknown values in a group range over [0, sum]
  when there are two or more; unknown at All with an unknown value in each group, it has no upper
  limit. Tables are made unknown column by column until every withheld cell's range reaches the
  threshold, and finally at All. Ranges only grow, so the fallback always ends safe.

  scripts/disclosure_audit.py attacks the result independently with an integer program. Q3 cells
  have no relations: primary suppression protects them.
-#}
{% macro disclosure_control(cells_cte) -%}
    {%- set threshold = var('suppression_threshold') | int %}
    {%- set method = var('disclosure_method') %}
    {%- if method not in ('moves', 'hidden_tables') %}
        {{ exceptions.raise_compiler_error(
            "vars: disclosure_method must be 'moves' or 'hidden_tables', not '" ~ method ~ "'") }}
    {%- endif %}
    {%- set passes = var('disclosure_passes') | int if method == 'moves' else 0 %}
    with dc_cells as (
        select
            financial_year,
            category,
            category_order,
            breakdown,
            case when question = 'Q1' then 'all' when question = 'Q5' then 'sex' else 'age' end as grp,
            breakdown_order + case when question = 'Q6' then 100 else 0 end as column_order,
            children
        from {{ cells_cte }}
        where question in ('Q1', 'Q5', 'Q6') and children is not null
    ),

    dc_columns as (
        select
            financial_year,
            breakdown,
            min(grp) as grp,
            min(column_order) as column_order,
            max(case when category = 'CCE' then children end) - max(case when category = 'Both' then children end)
            as a,
            max(case when category = 'CSE' then children end) - max(case when category = 'Both' then children end)
            as b,
            max(case when category = 'Both' then children end) as c,
            max(case when category = 'CSE' then children end) as x,
            {{ dbt.bool_or("category = 'CCE'") }} as is_cce_year
        from dc_cells
        group by financial_year, breakdown
    ),

    {{ dc_pair_base_ctes(threshold) }},

    dc_pair_state_0 as (
        select financial_year, breakdown, category
        from dc_cells
        where children between 1 and {{ threshold }}
    ),

    {%- for pass_number in range(passes) %}
    {{ dc_pair_pass('dc_pair_state_' ~ pass_number, 'dc_pair_state_' ~ (pass_number + 1), threshold) }},
    {%- endfor %}

    {%- set prune_passes = passes %}
    {%- for prune_number in range(prune_passes) %}
    {{ dc_pair_prune('dc_pair_state_' ~ (passes + prune_number), 'dc_pair_state_' ~ (passes + prune_number + 1),
                     threshold) }},
    {%- endfor %}
    {%- set passes = passes + prune_passes %}

    {{ dc_pair_protection('dc_pair_state_' ~ passes, 'dc_pair_final') }},

    dc_fallback_years as (
        select distinct financial_year
        from dc_pair_final_cells
        where not is_protected
    ),

    {{ dc_hidden_table_method('dc_pair_state_' ~ passes, 'dc_fallback_years', threshold) }},

    dc_withheld as (
        select pairs.financial_year, pairs.breakdown, pairs.category
        from {{ 'dc_pair_state_' ~ passes }} as pairs
        where pairs.financial_year not in (select financial_year from dc_fallback_years)
        union
        select financial_year, breakdown, category
        from dc_hidden_withheld
    )

    select
        cells.*,
        coalesce(
            cells.children between 1 and {{ threshold }}
            or (cells.question in ('Q1', 'Q5', 'Q6') and dc_withheld.category is not null),
            false
        ) as is_suppressed
    from {{ cells_cte }} as cells
    left join dc_withheld
        on
            cells.financial_year = dc_withheld.financial_year
            and cells.category = dc_withheld.category
            and cells.breakdown = dc_withheld.breakdown
{%- endmacro %}

