{#- A text value as a SQL string literal, quotes doubled: how every configured string and path reaches SQL,
    so an apostrophe in a folder or a council's name (or a crafted value) stays text. -#}
{% macro sql_string(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{#- The commands that change what the database holds; each leaves a row in the build record. -#}
{% macro build_record_commands() -%}
    {{ return(['build', 'run', 'seed', 'snapshot']) }}
{%- endmacro %}


{#- on-run-start, before anything else: a row for this invocation, `running` until on-run-end says how it
    ended. The export reads the latest row and refuses a database whose last build failed, was killed, ran
    only a selection, skipped its tests, or read other extract files than the ones configured now. -#}
{% macro record_build_start() -%}
    {%- if execute and target.type == 'duckdb' and flags.WHICH in build_record_commands() -%}
        {%- set args = invocation_args_dict -%}
        {%- set selection = [] -%}
        {%- for name in ['select', 'exclude', 'selector', 'resource_types', 'exclude_resource_types'] -%}
            {%- if args.get(name) -%}
                {%- do selection.append(name ~ '=' ~ (args[name] | join(' ') if args[name] is iterable
                    and args[name] is not string else args[name])) -%}
            {%- endif -%}
        {%- endfor -%}
        create schema if not exists build_record;
        create table if not exists build_record.dbt_invocations (
            invocation_id varchar primary key,
            command varchar not null,
            selection varchar not null,
            extract_dir varchar not null,
            extract_files varchar not null,
            started_at timestamp not null,
            finished_at timestamp,
            outcome varchar not null
        );
        insert into build_record.dbt_invocations
        select
            {{ sql_string(invocation_id) }},
            {{ sql_string(flags.WHICH) }},
            {{ sql_string(selection | join('; ')) }},
            {{ sql_string(extract_dir()) }},
            {{ extract_fingerprint() }},
            now(),
            null,
            'running'
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- The extract files as found: `name:size:modified` (seconds since 1970) for each CSV or Parquet file in the
    folder, sorted. The export computes the same from the folder it is given, and the two must match. -#}
{% macro extract_fingerprint() -%}
    {%- set patterns = [extract_dir() ~ '/*.csv', extract_dir() ~ '/*.parquet'] -%}
    {%- set quoted = [] -%}
    {%- for pattern in patterns -%}{%- do quoted.append(sql_string(pattern)) -%}{%- endfor -%}
    {%- set files = run_query("select count(*) from glob([" ~ quoted | join(', ') ~ "])").columns[0].values()[0] -%}
    {%- if files == 0 -%}
        ''
    {%- else -%}
        (
            select coalesce(string_agg(
                parse_filename(filename) || ':' || size || ':' || cast(epoch(last_modified) as bigint), ';'
                order by parse_filename(filename)
            ), '')
            from read_blob([{{ quoted | join(', ') }}])
        )
    {%- endif -%}
{%- endmacro %}


{#- on-run-end: how the invocation ended. `failed` when a node errored, failed or was skipped (a warning
    is not a failure: the release notes say what it found); `partial` when it did not run every model,
    seed, snapshot and data test of the project (a selection, or `dbt retry`, which runs again only what
    failed, perhaps on files changed since); `success` otherwise. -#}
{% macro record_build_end(results) -%}
    {%- if execute and target.type == 'duckdb' and flags.WHICH in build_record_commands() -%}
        {%- set failed, ran, missing = [], [], [] -%}
        {%- for result in results -%}
            {%- do ran.append(result.node.unique_id) -%}
            {%- if result.status in ['error', 'fail', 'skipped', 'runtime error'] -%}
                {%- do failed.append(result.node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- for node in graph.nodes.values()
            if node.resource_type in ['model', 'seed', 'snapshot', 'test'] and node.config.enabled -%}
            {%- if node.unique_id not in ran -%}
                {%- do missing.append(node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        update build_record.dbt_invocations
        set
            finished_at = now(),
            outcome = {{ sql_string('failed' if failed else ('partial' if missing else 'success')) }}
        where invocation_id = {{ sql_string(invocation_id) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
