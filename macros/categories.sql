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


{% macro age_group_breakdowns() -%}
    {{ return(['Under 10', '10-12', '13-15', '16-17', 'Not recorded']) }}
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
