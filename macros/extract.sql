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


{#- The extract folder: FOI_EXTRACT_DIR (a relative one from the folder dbt runs in, as DuckDB reads it),
    or the committed synthetic default, a path from the project folder wherever dbt runs (--project-dir).
    It is read at parse time too (a blank FOI_EXTRACT_DIR stops there), but no parsed node depends on its
    value, so partial parsing stays safe. -#}
{% macro extract_dir() -%}
    {%- set configured = env_var('FOI_EXTRACT_DIR', '(not set)') -%}
    {%- if configured == '(not set)' -%}
        {%- set default = var('default_extract_dir').rstrip('/') -%}
        {%- if default.startswith('/') -%}
            {{ return(default) }}
        {%- endif -%}
        {{ return(invocation_args_dict.get('project_dir', '.') ~ '/' ~ default) }}
    {%- elif configured | trim == '' -%}
        {#- Set but blank: falling back to the synthetic default would publish it under the council's name. -#}
        {{ exceptions.raise_compiler_error(
            "FOI_EXTRACT_DIR is set but empty: give the extract folder, or unset it to build the synthetic default.") }}
    {%- endif -%}
    {{ return((configured | trim).rstrip('/')) }}
{%- endmacro %}


{% macro extract_file_path(file_name, file_format) -%}
    {{ return(extract_dir() ~ '/' ~ file_name ~ '.' ~ file_format) }}
{%- endmacro %}


{#- 'csv' or 'parquet', whichever of the two files is in the folder; none when neither is. Both at once
    is refused: which one holds the council's data is not for the pipeline to guess. -#}
{% macro extract_file_format(file_name) -%}
    {%- if not execute -%}
        {{ return('csv') }}
    {%- endif -%}
    {%- set found = [] -%}
    {%- for file_format in ['csv', 'parquet'] -%}
        {%- set path = extract_file_path(file_name, file_format) -%}
        {%- if run_query("select count(*) from glob(" ~ sql_string(path) ~ ")").columns[0].values()[0] > 0 -%}
            {%- do found.append(file_format) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if found | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            "Extract folder " ~ extract_dir() ~ " holds both " ~ file_name ~ ".csv and " ~ file_name
            ~ ".parquet: keep the one that holds the extract and move the other away.") }}
    {%- endif -%}
    {{ return(found[0] if found else none) }}
{%- endmacro %}


{#- The file's name as the council gave it (children.csv or children.parquet), for the data-quality marts. -#}
{% macro extract_file_name(file_name) -%}
    {{ return(file_name ~ '.' ~ (extract_file_format(file_name) or 'csv')) }}
{%- endmacro %}


{#- The relation a staging model reads: one extract file, every contract column as text (staging decides
    what is valid), with source_row_number. The source() call draws the file in the lineage. -#}
{% macro extract_relation(file_name) -%}
    {%- set extract_source = source('extract', file_name) -%}
    {{ return(adapter.dispatch('extract_relation', 'foi_exploitation')(file_name, extract_source)) }}
{%- endmacro %}


{#- Elsewhere the team loads the files as text tables in the source's schema. -#}
{% macro default__extract_relation(file_name, extract_source) -%}
    (
        select
            {{ extract_contract()[file_name] | join(', ') }},
            {{ extract_row_number() }}
        from {{ extract_source }}
    )
{%- endmacro %}


{#- DuckDB reads the file where it lies: CSV as text; Parquet cast to text, numbered by DuckDB's own
    file_row_number; an absent optional file as an empty table. -#}
{% macro duckdb__extract_relation(file_name, extract_source) -%}
    {%- set columns = extract_contract()[file_name] -%}
    {%- set file_format = extract_file_format(file_name) -%}
    {%- if file_format is none -%}
        (
            select
            {%- for column in columns %}
                cast(null as {{ dbt.type_string() }}) as {{ column }},
            {%- endfor %}
                cast(null as {{ dbt.type_int() }}) as source_row_number
            where 1 = 0
        )
    {%- elif file_format == 'parquet' -%}
        (
            select
            {%- for column in columns %}
                cast({{ column }} as {{ dbt.type_string() }}) as {{ column }},
            {%- endfor %}
                file_row_number + 1 as source_row_number
            from read_parquet({{ sql_string(extract_file_path(file_name, "parquet")) }}, file_row_number = true)
        )
    {%- else -%}
        (
            select
                {{ columns | join(', ') }},
                {{ extract_row_number() }}
            from {{ extract_csv_scan(extract_file_path(file_name, 'csv')) }}
        )
    {%- endif -%}
{%- endmacro %}


{#- How many rows the file holds, counted without the CSV reader that the staging models use: its
    non-blank lines less the header (Parquet: the row count in the file's footer). A row the reader loses
    or merges then shows as a reconciliation failure instead of vanishing. -#}
{% macro extract_rows_in(file_name) -%}
    {{ return(adapter.dispatch('extract_rows_in', 'foi_exploitation')(file_name)) }}
{%- endmacro %}


{% macro default__extract_rows_in(file_name) -%}
    (select count(*) from {{ source('extract', file_name) }})
{%- endmacro %}


{% macro duckdb__extract_rows_in(file_name) -%}
    {%- set file_format = extract_file_format(file_name) -%}
    {%- if file_format is none -%}
        0
    {%- elif file_format == 'parquet' -%}
        (
            select coalesce(sum(num_rows), 0)
            from parquet_file_metadata({{ sql_string(extract_file_path(file_name, 'parquet')) }})
        )
    {%- else -%}
        (
            select greatest(count(*) - 1, 0)
            from {{ extract_line_scan(extract_file_path(file_name, 'csv')) }}
            where trim(line) != ''
        )
    {%- endif -%}
{%- endmacro %}


{#- A CSV file's lines, each as one text field `line`: split on a character no contract file holds (the
    unit separator), no quoting, no comments (DuckDB). -#}
{% macro extract_line_scan(path) -%}
    read_csv(
        {{ sql_string(path) }},
        header = false, delim = E'\x1f', quote = '', escape = '', comment = '', columns = {'line': 'VARCHAR'}
    )
{%- endmacro %}


{#- Stop on a CSV header that names a column twice: which of the two holds the data is not for the
    pipeline to guess. -#}
{% macro validate_csv_header(path) -%}
    {%- set header = run_query("select line from " ~ extract_line_scan(path) ~ " limit 1") -%}
    {%- set seen = [] -%}
    {%- for raw in (header.columns[0].values()[0] or '').split(',') -%}
        {%- set name = raw | replace('\ufeff', '') | replace('"', '') | trim | lower -%}
        {%- if name in seen -%}
            {{ exceptions.raise_compiler_error(
                "Extract file " ~ path ~ " names column '" ~ name ~ "' twice in its header: keep one"
                ~ " (see docs/extract-contract.md).") }}
        {%- endif -%}
        {%- do seen.append(name) -%}
    {%- endfor -%}
{%- endmacro %}


{#- Stop on a CSV file the reader cannot take as the contract's text: a workbook or other zip renamed .csv,
    UTF-16 text, bytes that are not UTF-8, a line with more or fewer fields than the header (a footer such
    as "Total rows: 20670", a ragged row). One line: the file, the line number, what is wrong, what to do.
    DuckDB lists the lines its reader would reject (store_rejects) instead of failing deep in a model.
    A zip or a byte-order mark must be told before the reader sees the file (its sniffer stops on a real
    workbook); they are found by comparing the file's bytes with the prefixes, which reads no further than
    they do. A slice of the first bytes copies the whole file (some 2 s a national file), so the UTF-16 with
    no byte-order mark that a zero byte shows is looked for only when the reader has rejected a line. -#}
{% macro validate_csv_rows(path) -%}
    {%- set to_do = "Save it from the spreadsheet or system as 'CSV UTF-8' (see docs/extract-contract.md)." -%}
    {%- set utf16 = "Extract file " ~ path ~ " is UTF-16 text, not UTF-8. " ~ to_do -%}
    {%- set starts = run_query("select "
        ~ file_starts_with('504B0304') ~ ", "
        ~ file_starts_with('FFFE') ~ " or " ~ file_starts_with('FEFF') ~ " or " ~ file_starts_with('00')
        ~ " from read_blob(" ~ sql_string(path) ~ ")").rows[0] -%}
    {%- if starts[0] -%}
        {{ exceptions.raise_compiler_error("Extract file " ~ path ~ " is a zip file (an Excel workbook renamed .csv?), "
            ~ "not CSV text. " ~ to_do) }}
    {%- elif starts[1] -%}
        {{ exceptions.raise_compiler_error(utf16) }}
    {%- endif -%}
    {%- do run_query("drop table if exists foi_csv_rejects; drop table if exists foi_csv_scans") -%}
    {%- do run_query("select count(*) from " ~ extract_csv_scan(path,
        "store_rejects = true, rejects_table = 'foi_csv_rejects', rejects_scan = 'foi_csv_scans'")) -%}
    {%- set rejected = run_query(
        "select line, error_type, csv_line, error_message from foi_csv_rejects order by line limit 1") -%}
    {%- if rejected.rows | length > 0 -%}
        {%- set first_bytes = run_query("select hex(content[1:4]) from read_blob(" ~ sql_string(path) ~ ")")
            .columns[0].values()[0] or '' -%}
        {%- set line, error_type, text, detail = rejected.rows[0] -%}
        {%- if '00' in [first_bytes[2:4], first_bytes[4:6]] -%}
            {{ exceptions.raise_compiler_error(utf16) }}
        {%- elif error_type == 'INVALID ENCODING' -%}
            {{ exceptions.raise_compiler_error("Extract file " ~ path ~ " line " ~ line
                ~ " holds bytes that are not UTF-8 (Latin-1 or Windows-1252 text?). " ~ to_do) }}
        {%- else -%}
            {{ exceptions.raise_compiler_error("Extract file " ~ path ~ " line " ~ line ~ " ('" ~ text[:60]
                ~ "'): " ~ detail ~ ", so it is not a row of the header's columns (a footer, a ragged row, an"
                ~ " unclosed quote?). Mend or remove the line.") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- True where read_blob's content begins with the bytes written in hex: at or after the prefix and before
    the first byte string after every string it begins (its last byte below FF one more, trailing FFs
    dropped), as bytes compare. -#}
{% macro file_starts_with(hex_prefix) -%}
    {%- set prefix = namespace(kept=hex_prefix.upper()) -%}
    {%- for _ in range(hex_prefix | length // 2) if prefix.kept[-2:] == 'FF' -%}
        {%- set prefix.kept = prefix.kept[:-2] -%}
    {%- endfor -%}
    {%- set kept = prefix.kept -%}
    {%- set next_byte = '%02X' | format(kept[-2:] | int(base=16) + 1) -%}
    (content >= unhex('{{ hex_prefix }}') and content < unhex('{{ kept[:-2] ~ next_byte }}'))
{%- endmacro %}


{% macro extract_csv_scan(path, more_options='') -%}
    read_csv({{ sql_string(path) }}, header = true, delim = ',', quote = '"', comment = '', all_varchar = true
        {{- ', ' ~ more_options if more_options }})
{%- endmacro %}


{#- The row's position in its CSV file (1 = the first row under the header), numbered as the rows are
    read: a scan of one CSV file keeps the file's order, so an analyst can go straight to the row.
    Tested against the files themselves in tests/python/test_extract_loading.py. -#}
{% macro extract_row_number() -%}
    row_number() over () as source_row_number
{%- endmacro %}


{#- Run before anything is built (DuckDB): every required file must be in the folder, as CSV or Parquet,
    with every contract column, or the run stops naming the file and the column. -#}
{% macro validate_extract() -%}
    {%- if execute and target.type == 'duckdb' -%}
        {%- for file_name, columns in extract_contract().items() -%}
            {%- set file_format = extract_file_format(file_name) -%}
            {%- if file_format is none and file_name not in extract_optional_files() -%}
                {{ exceptions.raise_compiler_error(
                    "Extract file missing: neither " ~ file_name ~ ".csv nor " ~ file_name ~ ".parquet is in "
                    ~ extract_dir() ~ " (FOI_EXTRACT_DIR, or the default in dbt_project.yml)."
                    ~ " See docs/extract-contract.md.") }}
            {%- elif file_format is not none -%}
                {%- set path = extract_file_path(file_name, file_format) -%}
                {%- if file_format == 'csv' -%}
                    {%- do validate_csv_rows(path) -%}
                    {%- do validate_csv_header(path) -%}
                {%- endif -%}
                {%- set scan = extract_csv_scan(path) if file_format == 'csv'
                    else "read_parquet(" ~ sql_string(path) ~ ")" -%}
                {%- set header = run_query("describe select * from " ~ scan) -%}
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
