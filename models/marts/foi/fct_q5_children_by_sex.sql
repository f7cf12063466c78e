{{ count_children_by_category('sex', sex_breakdowns(), breakdown_categories()) }}
