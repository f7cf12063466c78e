{{ count_children_by_category('age_group', age_group_breakdowns(), breakdown_categories()) }}
