{{ orphan_rows('assessment_factors') }}
