with exclusions as (
    select * from {{ ref('dq_extract_exclusions') }}
),

final as (
    select
        file_name,
        exclusion_reason,
        count(*) as rows_excluded
    from exclusions
    group by file_name, exclusion_reason
)

select * from final
