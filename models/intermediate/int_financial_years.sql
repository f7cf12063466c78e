{%- set first_year = var('first_financial_year') | int %}
{%- set last_year = var('last_financial_year') | int %}
{%- if last_year < first_year %}
    {{ exceptions.raise_compiler_error(
        "vars: last_financial_year (" ~ last_year ~ ") is before first_financial_year (" ~ first_year ~ ")") }}
{%- endif %}

with configured_years as (
    {%- for year in range(first_year, last_year + 1) %}
        select
            '{{ "%d/%02d" % (year, (year + 1) % 100) }}' as financial_year,
            {{ loop.index }} as financial_year_order,
            cast('{{ year }}-04-01' as date) as fy_start_date,
            cast('{{ year + 1 }}-03-31' as date) as fy_end_date
        {{ "union all" if not loop.last }}
    {%- endfor %}
),

final as (
    select
        financial_year,
        financial_year_order,
        fy_start_date,
        fy_end_date,
        fy_start_date >= cast({{ sql_string(var("cce_recording_start_date")) }} as date) as is_cce_recorded,
        fy_end_date > {{ extract_date() }} as is_provisional,
        case
            when fy_end_date > {{ extract_date() }} then {{ extract_date() }}
            else fy_end_date
        end as data_to_date
    from configured_years
)

select * from final
