{#- Whole years of age on a date: the year difference, less one where the birthday has not yet
    come round that year (someone born on 29 February turns a year older on 1 March). -#}
{% macro age_in_years(date_of_birth, on_date) -%}
    (
        {{ dbt.datediff(date_of_birth, on_date, 'year') }}
        - case
            when extract(month from {{ on_date }}) * 100 + extract(day from {{ on_date }})
                < extract(month from {{ date_of_birth }}) * 100 + extract(day from {{ date_of_birth }})
                then 1
            else 0
        end
    )
{%- endmacro %}


{#- The age group of rule 7 for a whole-years age (the var age_group_starts); null age is "Not recorded". -#}
{% macro age_group(age_years) -%}
    {%- set starts = age_group_starts() -%}
    {%- set labels = age_group_labels() -%}
    case
        when {{ age_years }} is null then 'Not recorded'
        {%- for start in starts[1:] %}
        when {{ age_years }} < {{ start }} then '{{ labels[loop.index0] }}'
        {%- endfor %}
        else '{{ labels[-1] }}'
    end
{%- endmacro %}
