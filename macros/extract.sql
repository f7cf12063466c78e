{#- The input contract (docs/extract-contract.md): each file and the columns it must have. -#}
{% macro extract_contract() -%}
    {{ return({
        'children': ['child_id', 'date_of_birth', 'sex'],
        'referrals': ['referral_id', 'child_id', 'referral_date', 'closure_date'],
        'assessments': ['assessment_id', 'referral_id', 'start_date', 'authorised_date'],
        'assessment_factors': ['assessment_id', 'factor_code'],
        'exploitation_flags': ['child_id', 'flag_type', 'risk_level', 'start_date', 'end_date'],
    }) }}
{%- endmacro %}


{#- Files a system may lack: an absent one reads as an empty table. -#}
{% macro extract_optional_files() -%}
    {{ return(['exploitation_flags']) }}
{%- endmacro %}


{% macro extract_dir() -%}
    {{ return(env_var('FOI_EXTRACT_DIR', '') | trim) }}
{%- endmacro %}


{% macro extract_file_path(file_name) -%}
    {{ return(extract_dir().rstrip('/') ~ '/' ~ file_name ~ '.csv') }}
{%- endmacro %}


{% macro extract_file_exists(file_name) -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set found = run_query("select count(*) from glob('" ~ extract_file_path(file_name) ~ "')") -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}


{#- The relation a staging model reads: the committed seed by default, or the CSV file of the
    folder in FOI_EXTRACT_DIR. Every column arrives as text so that staging decides what is valid. -#}
{% macro extract_relation(file_name) -%}
    {%- set columns = extract_contract()[file_name] -%}
    {%- if extract_dir() == '' -%}
        (
            select
                seed_rows.*,
                {{ extract_row_number() }}
            from {{ ref(file_name) }} as seed_rows
        )
    {%- elif file_name in extract_optional_files() and not extract_file_exists(file_name) -%}
        (
            select
            {%- for column in columns %}
                cast(null as {{ dbt.type_string() }}) as {{ column }},
            {%- endfor %}
                cast(null as {{ dbt.type_int() }}) as source_row_number
            where 1 = 0
        )
    {%- else -%}
        (
            select
                {{ columns | join(', ') }},
                {{ extract_row_number() }}
            from read_csv(
                '{{ extract_file_path(file_name) }}',
                header = true, delim = ',', quote = '"', all_varchar = true
            )
        )
    {%- endif -%}
{%- endmacro %}


{#- The row's position in its file (1 = the first row under the header), numbered as the rows are
    read: a scan of one CSV file or seed table keeps the file's order, so an analyst can go straight to
    the row. Tested against the files themselves in tests/python/test_extract_loading.py. -#}
{% macro extract_row_number() -%}
    row_number() over () as source_row_number
{%- endmacro %}


{#- Run before anything is built: with FOI_EXTRACT_DIR set, every required file must be there
    with every contract column, or the run stops naming the file and the column. -#}
{% macro validate_extract() -%}
    {%- if execute and extract_dir() != '' -%}
        {%- for file_name, columns in extract_contract().items() -%}
            {%- set path = extract_file_path(file_name) -%}
            {%- if not extract_file_exists(file_name) -%}
                {%- if file_name not in extract_optional_files() -%}
                    {{ exceptions.raise_compiler_error(
                        "Extract file missing: " ~ file_name ~ ".csv was not found in FOI_EXTRACT_DIR ("
                        ~ extract_dir() ~ "). See docs/extract-contract.md.") }}
                {%- endif -%}
            {%- else -%}
                {%- set header = run_query(
                    "describe select * from read_csv('" ~ path ~ "', header = true, delim = ',', "
                    ~ "quote = '\"', all_varchar = true)") -%}
                {%- set present = header.columns[0].values() | map('lower') | list -%}
                {%- for column in columns if column not in present -%}
                    {{ exceptions.raise_compiler_error(
                        "Extract file " ~ path ~ " lacks required column '" ~ column
                        ~ "' (it has: " ~ present | join(', ') ~ ").") }}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}


{#- How each staging model names a row for the exclusions list: the columns that identify it. -#}
{% macro extract_record_keys() -%}
    {{ return({
        'children': ['child_id'],
        'referrals': ['referral_id'],
        'assessments': ['assessment_id'],
        'assessment_factors': ['assessment_id', 'factor_code'],
        'exploitation_flags': ['child_id', 'flag_type', 'start_date'],
    }) }}
{%- endmacro %}
