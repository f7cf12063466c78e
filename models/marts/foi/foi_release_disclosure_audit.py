"""The disclosure audit inside `dbt build`: the attacker's integer program against foi_release.

One row per [c] cell with the smallest and largest value an attacker could give it. The model fails
(and so does `dbt build`) when any [c] cell's range is narrower than the threshold, naming the cells.
The audit itself is scripts/disclosure_audit.py, the same code the export runs before writing files.
"""

import os
import sys


def model(dbt, session):
    dbt.config(materialized="table")
    scripts_dir = os.path.join(os.getcwd(), "scripts")
    if not os.path.exists(os.path.join(scripts_dir, "disclosure_audit.py")):
        raise RuntimeError(f"foi_release_disclosure_audit: run dbt from the project folder ({scripts_dir} not found)")
    sys.path.insert(0, scripts_dir)
    import disclosure_audit

    threshold = int(dbt.config.get("suppression_threshold"))
    release = dbt.ref("foi_release")
    columns = ["question", "financial_year", "category", "breakdown", "children", "published"]
    cells = [disclosure_audit.Cell(*row) for row in release.select(", ".join(columns)).fetchall()]
    bounds, failing = disclosure_audit.audit(cells, threshold)
    if failing:
        named = "; ".join(bound.describe() for bound in failing)
        raise RuntimeError(
            f"disclosure audit failed: {len(failing)} [c] cells can be narrowed below {threshold}: {named}"
        )

    def text(value):
        return "'" + str(value).replace("'", "''") + "'"

    rows = [
        f"({text(b.cell.question)}, {text(b.cell.financial_year)}, {text(b.cell.category)}, "
        f"{text(b.cell.breakdown)}, {b.smallest}, "
        f"{'null' if b.largest >= disclosure_audit.UNBOUNDED else b.largest}, {threshold})"
        for b in bounds
    ] or ["(null, null, null, null, null, null, null)"]
    return session.sql(
        "select question, financial_year, category, breakdown, cast(smallest as integer) as smallest, "
        "cast(largest as integer) as largest, "
        "largest is null or largest - smallest >= threshold as is_protected "
        f"from (values {', '.join(rows)}) as audit(question, financial_year, category, breakdown, smallest, largest, threshold) "
        "where question is not null"
    )
