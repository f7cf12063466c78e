{#- Primary suppression: a count from 1 to the threshold is withheld as [c]. Zeros are real answers and
    are published; secondary suppression (int_cells_secondary_suppressed) adds the cells that protect these. -#}
{% macro is_primary_suppression(children) -%}
    coalesce({{ children }} between 1 and {{ var('suppression_threshold') | int }}, false)
{%- endmacro %}


{#- The disclosure vars must be plainly valid before anything is built: a threshold of 0, -1 or 'five'
    would otherwise publish small numbers. Checked when the hook runs (after the build record notes the
    attempt), not when it is parsed, so a refused build leaves a record the export sees. -#}
{% macro validate_disclosure_vars() -%}
    {%- for name in ['suppression_threshold', 'protection_level'] if execute -%}
        {%- set value = var(name) -%}
        {%- set is_whole = value is integer or (value is string and (value | trim).isdigit()) -%}
        {%- if value is boolean or not is_whole or (value | int) < 1 -%}
            {{ exceptions.raise_compiler_error(
                "vars: " ~ name ~ " must be a whole number of at least 1, not '" ~ value
                ~ "'. Set it in dbt_project.yml (see docs/disclosure-control.md).") }}
        {%- endif -%}
    {%- endfor -%}
    {%- if execute and var('zeros_may_be_withheld') is not boolean -%}
        {{ exceptions.raise_compiler_error(
            "vars: zeros_may_be_withheld must be true or false, not '" ~ var('zeros_may_be_withheld') ~ "'.") }}
    {%- endif -%}
    select 1
{%- endmacro %}
