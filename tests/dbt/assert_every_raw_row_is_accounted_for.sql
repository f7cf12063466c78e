-- Every raw row of every extract file is used or excluded with a reason, and every excluded row is
-- listed once in dq_extract_exclusions: rows in = rows used + rows excluded, per file.
select *
from {{ ref('dq_extract_reconciliation') }}
where not is_reconciled
