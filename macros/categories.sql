{#- The release's labels, in the order tables show them. One place, used by every model and test. -#}
{% macro foi_categories() -%}
    {{ return(['CCE', 'CSE', 'Both', 'Total']) }}
{%- endmacro %}


{#- Q5 and Q6 give what was asked, CCE, CSE and Both: Total stands in Q1 only, so fewer published
    relations link the cells and fewer need withholding. -#}
{% macro breakdown_categories() -%}
    {{ return(['CCE', 'CSE', 'Both']) }}
{%- endmacro %}


{% macro sex_breakdowns() -%}
    {{ return(['Male', 'Female', 'Not known']) }}
{%- endmacro %}


{#- The age groups of the var age_group_starts (default [0, 10, 13, 16]): each runs from its start to the next
    start minus 1, the last to 17. Labels "Under N" for the group from 0, "a-b" otherwise ("a" for one year),
    then Not recorded. A list that is not whole numbers rising from 0 to at most 17 stops the build. -#}
{% macro age_group_starts() -%}
    {%- set starts = var('age_group_starts') -%}
    {#- A namespace: a plain set inside a loop would not outlive the loop. -#}
    {%- set check = namespace(valid=starts is iterable and starts is not string and starts is not mapping
        and starts | length > 0) -%}
    {%- if check.valid -%}
        {%- for start in starts -%}
            {%- if start is not integer or start is boolean or start < 0 or start > 17
                or (not loop.first and start <= loop.previtem) -%}
                {%- set check.valid = false -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set check.valid = check.valid and starts[0] == 0 -%}
    {%- endif -%}
    {%- if not check.valid -%}
        {{ exceptions.raise_compiler_error(
            "vars: age_group_starts must be whole numbers rising from 0, each at most 17 (such as [0, 10, 13, 16]), not "
            ~ starts ~ ". Set it in dbt_project.yml or with --vars.") }}
    {%- endif -%}
    {{ return(starts) }}
{%- endmacro %}


{% macro age_group_labels() -%}
    {%- set starts = age_group_starts() -%}
    {%- set labels = [] -%}
    {%- for start in starts -%}
        {%- set last = (starts[loop.index] - 1) if not loop.last else 17 -%}
        {%- if start == 0 -%}
            {%- do labels.append('Under ' ~ (last + 1)) -%}
        {%- elif start == last -%}
            {%- do labels.append(start ~ '') -%}
        {%- else -%}
            {%- do labels.append(start ~ '-' ~ last) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(labels) }}
{%- endmacro %}


{% macro age_group_breakdowns() -%}
    {{ return(age_group_labels() + ['Not recorded']) }}
{%- endmacro %}


{#- A small table of labels and their display order, as portable SQL (no VALUES lists). -#}
{% macro labels_table(column_name, labels) -%}
    {%- for label in labels %}
    select
        '{{ label }}' as {{ column_name }},
        {{ loop.index }} as {{ column_name }}_order
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- Sex as recorded, to the release's labels (rule 7): M or 1 Male, F or 2 Female, anything else
    (U, 0, 9, empty, codes outside the contract) Not known. -#}
{% macro sex_label(sex_code) -%}
    case
        when {{ sex_code }} in ('M', '1', 'MALE') then 'Male'
        when {{ sex_code }} in ('F', '2', 'FEMALE') then 'Female'
        else 'Not known'
    end
{%- endmacro %}


{#- The sex values the contract accepts, after trimming and upper-casing: the CIN census codes and the
    words systems export (Male, Female, Unknown, Not known, in any case). -#}
{% macro contract_sex_codes() -%}
    ('M', 'F', 'U', '1', '2', '0', '9', 'MALE', 'FEMALE', 'UNKNOWN', 'NOT KNOWN')
{%- endmacro %}
