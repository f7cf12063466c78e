{{ count_children_by_category() }}
