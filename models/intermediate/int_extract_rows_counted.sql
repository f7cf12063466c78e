{#- Each extract file's rows counted without the reader the staging models use (its non-blank lines less
    the header; Parquet: the footer's row count). Its own model, so the count reads the files beside the
    staging models instead of after them. -#}
{%- set files = extract_contract().keys() | list %}

with final as (
    {%- for file_name in files %}
        -- depends_on: {{ source('extract', file_name) }}
        select
            {{ sql_string(extract_file_name(file_name)) }} as file_name,
            {{ loop.index }} as file_order,
            {{ extract_rows_in(file_name) }} as rows_in
        {{ "union all" if not loop.last }}
    {%- endfor %}
)

select * from final
