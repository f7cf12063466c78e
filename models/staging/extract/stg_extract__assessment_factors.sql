-- A view (set in dbt_project.yml), so no file is written twice: the rows and their own file's checks are
-- the table base_extract__assessment_factors (built beside the other files'), and
-- base_extract__orphan_assessment_factors holds the rows whose parent is not used (macros/parent_links.sql).
{{ staging_view('assessment_factors') }}
