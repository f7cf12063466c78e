{#- The release's configuration as one row, so the export reads everything it writes from the
    database that was built, and a council's vars show in the docs. -#}
with final as (
    select
        cast({{ sql_string(var("council_name")) }} as {{ dbt.type_string() }}) as council_name,
        cast({{ sql_string(var("foi_reference")) }} as {{ dbt.type_string() }}) as foi_reference,
        cast({{ sql_string(var("release_title")) }} as {{ dbt.type_string() }}) as release_title,
        cast({{ sql_string(var("extract_date")) }} as date) as extract_date,
        cast({{ sql_string(var("cce_recording_start_date")) }} as date) as cce_recording_start_date,
        cast({{ var("suppression_threshold") }} as {{ dbt.type_int() }}) as suppression_threshold,
        cast({{ var("protection_level") }} as {{ dbt.type_int() }}) as protection_level,
        cast({{ var("zeros_may_be_withheld") }} as {{ dbt.type_boolean() }}) as zeros_may_be_withheld,
        cast({{ sql_string(var("release_licence")) }} as {{ dbt.type_string() }}) as licence,
        cast({{ sql_string(var("release_attribution")) }} as {{ dbt.type_string() }}) as attribution,
        cast({{ sql_string(var("release_licence_url")) }} as {{ dbt.type_string() }}) as licence_url,
        cast({{ sql_string(var("release_contact")) }} as {{ dbt.type_string() }}) as contact,
        cast({{ sql_string(var("release_contact_email")) }} as {{ dbt.type_string() }}) as contact_email,
        cast({{ sql_string(var("response_date")) }} as date) as response_date,
        cast({{ sql_string(var("document_language")) }} as {{ dbt.type_string() }}) as document_language,
        cast({{ sql_string(var("factor_code_cse")) }} as {{ dbt.type_string() }}) as factor_code_cse,
        cast({{ sql_string(var("factor_code_cce")) }} as {{ dbt.type_string() }}) as factor_code_cce,
        cast({{ sql_string(var("factor_code_gang")) }} as {{ dbt.type_string() }}) as factor_code_gang,
        cast({{ var("first_financial_year") }} as {{ dbt.type_int() }}) as first_financial_year,
        cast({{ var("last_financial_year") }} as {{ dbt.type_int() }}) as last_financial_year,
        cast({{ sql_string(age_group_starts() | join(",")) }} as {{ dbt.type_string() }}) as age_group_starts,
        cast({{ sql_string(var("release_register_dir")) }} as {{ dbt.type_string() }}) as release_register_dir,
        cast({{ sql_string(var("release_private_dir")) }} as {{ dbt.type_string() }}) as release_private_dir,
        cast({{ sql_string(var("letter_template")) }} as {{ dbt.type_string() }}) as letter_template,
        cast({{ sql_string(var("council_address")) }} as {{ dbt.type_string() }}) as council_address,
        cast({{ sql_string(var("letter_signatory")) }} as {{ dbt.type_string() }}) as letter_signatory,
        cast(
            {{ sql_string(var("letter_advice_and_assistance")) }} as {{ dbt.type_string() }}
        ) as advice_and_assistance,
        cast({{ sql_string(var("release_output_dir")) }} as {{ dbt.type_string() }}) as output_dir,
        cast({{ sql_string(var("release_file_stem")) }} as {{ dbt.type_string() }}) as file_stem
)

select * from final
