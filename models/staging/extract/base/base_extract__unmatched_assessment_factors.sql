{{ unmatched_rows('assessment_factors') }}
