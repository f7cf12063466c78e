{%- set record_keys = extract_record_keys() %}

with
{% for file_name, key_columns in record_keys.items() %}
    {{ file_name }}_excluded as (
        select
            {{ sql_string(extract_file_name(file_name)) }} as file_name,
            {{ source_row_text(key_columns) }} as record_key,
            source_row_number,
            source_row,
            exclusion_reason
        from {{ ref('stg_extract__' ~ file_name) }}
        where exclusion_reason is not null
    ),
{% endfor %}

final as (
    {%- for file_name in record_keys %}
        select * from {{ file_name }}_excluded
        {{ "union all" if not loop.last }}
    {%- endfor %}
)

select * from final
