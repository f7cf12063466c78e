{{ unmatched_rows('assessments') }}
