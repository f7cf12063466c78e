"""The disclosure audit inside `dbt build`: the intruder's integer programs against foi_release.

One row per [c] cell: the smallest and largest value it could take, what the release requires of it,
and whether the requirement is capped. The model fails (and `dbt build` with it), naming the cells,
when any requirement is unmet or any published number breaks the release's rules. The audit is
foi_exploitation.audit, written apart from the solver; the export runs it again before writing.
"""

from foi_exploitation.audit import audit
from foi_exploitation.cells import Cell, DisclosureRules

COLUMNS = ("question", "financial_year", "category", "breakdown", "children", "published")
OUTPUT = (
    "question varchar, financial_year varchar, category varchar, breakdown varchar, smallest integer, "
    "largest integer, required_width integer, required_largest integer, required_smallest integer, "
    "is_capped boolean, is_protected boolean"
)


def sql_value(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool | int):
        return str(value).lower()
    return "'" + str(value).replace("'", "''") + "'"


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt finds the config a Python model reads by reading these literal dbt.config.get calls.
    rules = DisclosureRules.from_config(
        dbt.config.get("suppression_threshold"),
        dbt.config.get("protection_level"),
        dbt.config.get("zeros_may_be_withheld"),
    )
    release = dbt.ref("foi_release").select(", ".join(COLUMNS)).fetchall()
    report = audit([Cell(*row) for row in release], rules)
    if not report.passed:
        raise RuntimeError(report.summary())
    rows = [
        "("
        + ", ".join(
            sql_value(v)
            for v in (
                *f.cell.key,
                f.smallest,
                f.largest,
                f.required_width,
                f.required_largest,
                f.required_smallest,
                f.is_capped,
                f.problem is None,
            )
        )
        + ")"
        for f in report.findings
    ]
    names = ", ".join(column.split()[0] for column in OUTPUT.split(", "))
    casts = ", ".join(f"cast({c.split()[0]} as {c.split()[1]}) as {c.split()[0]}" for c in OUTPUT.split(", "))
    values = ", ".join(rows) or "(" + ", ".join(["null"] * len(OUTPUT.split(", "))) + ")"
    return session.sql(f"select {casts} from (values {values}) as audit({names}) where question is not null")
