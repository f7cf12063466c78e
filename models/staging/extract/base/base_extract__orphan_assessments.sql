{{ orphan_rows('assessments') }}
