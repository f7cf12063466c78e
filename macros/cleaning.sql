{#- Trimmed text; an empty or blank field is "not recorded" (null). -#}
{% macro clean_text(column_name) -%}
    nullif(trim({{ column_name }}), '')
{%- endmacro %}


{#- A code as the contract writes it: trimmed and upper-cased ("11a " -> "11A"). -#}
{% macro clean_code(column_name) -%}
    upper({{ clean_text(column_name) }})
{%- endmacro %}


{#- A date field as a date; null when it is empty or not a date in the extract's form. -#}
{% macro clean_date(column_name) -%}
    {{ parse_extract_date(clean_text(column_name)) }}
{%- endmacro %}


{#- The forms of date an extract may use (var extract_date_format), each also with a midnight time
    ("2023-04-01 00:00:00", "01/04/2023 00:00"), as systems export a date column of a datetime type. -#}
{% macro extract_date_formats() -%}
    {{ return(['YYYY-MM-DD', 'DD/MM/YYYY']) }}
{%- endmacro %}


{#- The configured form: the whole extract uses one, so "01/04/2023" is never guessed to be 1 April. -#}
{% macro extract_date_format() -%}
    {%- set form = var('extract_date_format', 'YYYY-MM-DD') -%}
    {%- if execute and form not in extract_date_formats() -%}
        {{ exceptions.raise_compiler_error(
            "vars: extract_date_format must be " ~ extract_date_formats() | join(' or ') ~ ", not '" ~ form
            ~ "'. Set it in dbt_project.yml to the form the extract's dates are written in.") }}
    {%- endif -%}
    {{ return(form) }}
{%- endmacro %}


{#- Text in the configured form as a date, null for anything else ("31/02/2010", "2023-07-40", a date in
    the other form, a time other than midnight). Dispatched: DuckDB has try_cast and try_strptime. -#}
{% macro parse_extract_date(text) -%}
    {{ return(adapter.dispatch('parse_extract_date', 'foi_exploitation')(text)) }}
{%- endmacro %}


{% macro default__parse_extract_date(text) -%}
    {%- set date_type = api.Column.translate_type('date') -%}
    {%- if extract_date_format() == 'DD/MM/YYYY' -%}
    case
        when {{ text }} like '__/__/____' or {{ text }} like '__/__/____ 00:00' or {{ text }} like '__/__/____ 00:00:00'
            then {{ dbt.safe_cast(dbt.concat(["substring(" ~ text ~ ", 7, 4)", "'-'", "substring(" ~ text ~ ", 4, 2)",
                "'-'", "substring(" ~ text ~ ", 1, 2)"]), date_type) }}
    end
    {%- else -%}
    case
        when {{ text }} like '____-__-__' or {{ text }} like '____-__-__ 00:00:00' or {{ text }} like '____-__-__T00:00:00'
            then {{ dbt.safe_cast("substring(" ~ text ~ ", 1, 10)", date_type) }}
    end
    {%- endif -%}
{%- endmacro %}


{% macro duckdb__parse_extract_date(text) -%}
    {%- if extract_date_format() == 'DD/MM/YYYY' -%}
    case
        when regexp_full_match({{ text }}, '[0-9]{2}/[0-9]{2}/[0-9]{4}( 00:00(:00)?)?')
            then cast(try_strptime(left({{ text }}, 10), '%d/%m/%Y') as date)
    end
    {%- else -%}
    case
        when regexp_full_match({{ text }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}([ T]00:00(:00)?)?')
            then try_cast(left({{ text }}, 10) as date)
    end
    {%- endif -%}
{%- endmacro %}


{#- The exclusion reason for a date field that is not a date in the configured form. -#}
{% macro unreadable_date_reason(column_name) -%}
    {{ return(column_name ~ ' is not a ' ~ extract_date_format() ~ ' date') }}
{%- endmacro %}


{#- True where a field holds text that is not a date: "not recorded" is not an error, "31/02/2020" is. -#}
{% macro is_invalid_date(column_name) -%}
    ({{ clean_text(column_name) }} is not null and {{ clean_date(column_name) }} is null)
{%- endmacro %}


{#- The configured extract date, as a date literal. -#}
{% macro extract_date() -%}
    cast({{ sql_string(var("extract_date")) }} as date)
{%- endmacro %}


{#- The first of a list of (condition, reason) pairs that holds, or null: the row's exclusion reason. -#}
{% macro first_failing_rule(rules) -%}
    case
    {%- for condition, reason in rules %}
        when {{ condition }} then '{{ reason }}'
    {%- endfor %}
    end
{%- endmacro %}


{#- A row's reason from its own file's checks: its row rule, else an exact repeat, else (in a file with a key)
    its key on rows with different values. Reads row_reason and the two columns duplicate_checks adds. -#}
{% macro file_check_reason(key_columns, relation='') -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- set rules = [(prefix ~ 'is_repeat', 'repeat of an identical row')] -%}
    {%- if key_columns -%}
        {%- do rules.append((
            prefix ~ 'has_conflicting_versions',
            key_columns | join(', ') ~ ' appears on rows with different values'
        )) -%}
    {%- endif -%}
    coalesce({{ prefix }}row_reason, {{ first_failing_rule(rules) }})
{%- endmacro %}


{#- Adds is_repeat (an identical row came earlier in the file) and has_conflicting_versions (another row with
    the same key differs), so a staging model can tell exact repeats from conflicting ones. Only rows that
    passed their own checks take part. With no key_columns (a file whose key is the whole row) there is
    nothing to conflict.
    Rows are first counted by their key alone (by a hash of the compared values where the key is the whole
    row): a key on one row is neither a repeat nor in conflict, and those are nearly all. Only the rows of
    keys on more than one row are then grouped by their values exactly: the first row of each value set is
    not a repeat, and a key with more than one value set is in conflict.
    A sort of every row by key and values (a window) cost twice as much at national size. -#}
{% macro duplicate_checks(cte_name, key_columns, compare_columns, row_reason_column='row_reason') -%}
    {#- With no key, rows sharing a hash may still differ: they are not in conflict, only unlike. -#}
    {%- set value_columns = (compare_columns | reject('in', key_columns) | list) if key_columns else [] -%}
    {%- set group_columns = key_columns + value_columns if key_columns else compare_columns -%}
    {#- What rows are counted by: the key where it is one column, else a hash (of the key, or of the row). -#}
    {%- set key_expression = key_columns[0] if key_columns | length == 1
        else 'hash(' ~ (key_columns or compare_columns) | join(', ') ~ ')' -%}
    {#- Not materialized: a copy of every passing row cost more (memory at national size) than reading the
        row checks again. -#}
    passing_rows as (
        select
            source_row_number,
            {{ group_columns | join(', ') }},
            {{ key_expression }} as duplicate_key
        from {{ cte_name }}
        where {{ row_reason_column }} is null
    ),

    keys_on_several_rows as (
        select duplicate_key
        from passing_rows
        group by duplicate_key
        having count(*) > 1
    ),

    value_sets as {{ materialized_cte() }} (
        select
            {%- for column in group_columns %}
            passing_rows.{{ column }},
            {%- endfor %}
            any_value(passing_rows.duplicate_key) as duplicate_key,
            min(passing_rows.source_row_number) as first_row_number
        from passing_rows
        inner join keys_on_several_rows
            on passing_rows.duplicate_key = keys_on_several_rows.duplicate_key
        group by {% for column in group_columns %}passing_rows.{{ column }}{{ ", " if not loop.last }}{% endfor %}
    ),

    {%- if value_columns %}

    conflicting_keys as (
        select {{ key_columns | join(', ') }}
        from value_sets
        group by {{ key_columns | join(', ') }}
        having count(*) > 1
    ),
    {%- endif %}

    flagged_rows as (
        select
            passing_rows.source_row_number,
            passing_rows.source_row_number != value_sets.first_row_number as is_repeat,
            {%- if value_columns %}
            conflicting_keys.{{ key_columns[0] }} is not null as has_conflicting_versions
            {%- else %}
            false as has_conflicting_versions
            {%- endif %}
        from passing_rows
        inner join value_sets
            on
            passing_rows.duplicate_key = value_sets.duplicate_key
            {%- for column in group_columns %}
            and passing_rows.{{ column }} is not distinct from value_sets.{{ column }}
            {%- endfor %}
        {%- if value_columns %}
        left join conflicting_keys
            on
            {%- for key in key_columns %}
                {{ "and " if not loop.first }}value_sets.{{ key }} = conflicting_keys.{{ key }}
            {%- endfor %}
        {%- endif %}
    ),

    with_duplicate_checks as (
        select
            {{ cte_name }}.*,
            coalesce(flagged_rows.is_repeat, false) as is_repeat,
            coalesce(flagged_rows.has_conflicting_versions, false) as has_conflicting_versions
        from {{ cte_name }}
        left join flagged_rows
            on {{ cte_name }}.source_row_number = flagged_rows.source_row_number
    )
{%- endmacro %}


{#- Columns comma-joined as text: the raw row as it was read, or a row's identifying key. -#}
{% macro source_row_text(column_names) -%}
    {%- set parts = [] -%}
    {%- for column in column_names -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last %}{% do parts.append("','") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}


{#- The raw row's text where a field differs from its cleaned value written the same way (a space, a small
    letter, a time after a date), else null: most rows are as the contract writes them, so a staging model
    carries an empty column through its checks instead of every row's text. source_row_from rebuilds it.
    Compared field by field (a missing value written as nothing, as source_row_text does), so no text is
    built for a usual row. -#}
{% macro unusual_source_row(raw_columns, cleaned_expressions) -%}
    case
        when
        {%- for raw, cleaned in zip(raw_columns, cleaned_expressions) %}
            {{ "or " if not loop.first }}coalesce({{ raw }}, '') != coalesce(cast({{ cleaned }} as {{ dbt.type_string() }}), '')
        {%- endfor %}
            then {{ source_row_text(raw_columns) }}
    end
{%- endmacro %}


{#- The raw row's text: the unusual text kept, or the cleaned values written the same way (which then are
    the raw text exactly). -#}
{% macro source_row_from(unusual_column, cleaned_columns) -%}
    coalesce({{ unusual_column }}, {{ source_row_text(cleaned_columns) }})
{%- endmacro %}


{#- A column kept only on excluded rows (null where the row is used): the raw row text is what the exclusions
    list shows, and writing it for every used row cost a quarter of a national staging build. -#}
{% macro kept_if_excluded(column, reason_column='exclusion_reason') -%}
    case when {{ reason_column }} is not null then {{ column }} end
{%- endmacro %}

{#- Stop the build with a message (a text expression) where this is evaluated: DuckDB's error(); elsewhere
    a cast that fails and shows the text. -#}
{% macro stop_build(message) -%}
    {{ return(adapter.dispatch('stop_build', 'foi_exploitation')(message)) }}
{%- endmacro %}


{% macro default__stop_build(message) -%}
    cast({{ message }} as {{ dbt.type_int() }})
{%- endmacro %}


{% macro duckdb__stop_build(message) -%}
    error({{ message }})
{%- endmacro %}


{#- Marks a CTE to be computed once where the database allows it (`as materialized (...)`): DuckDB would
    otherwise inline a staging model's row checks into each of the two places that read them, parsing
    every date twice. -#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'foi_exploitation')()) }}
{%- endmacro %}


{% macro default__materialized_cte() -%}
{%- endmacro %}


{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}


{% macro postgres__materialized_cte() -%}
    materialized
{%- endmacro %}
