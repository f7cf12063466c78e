{#- Marks the cells of a release CTE that are withheld as [c]: adds is_suppressed to each row.
    Placeholder until disclosure control lands (issue 4): nothing is withheld yet. -#}
{% macro disclosure_control(cells_cte) -%}
    select
        {{ cells_cte }}.*,
        false as is_suppressed
    from {{ cells_cte }}
{%- endmacro %}
