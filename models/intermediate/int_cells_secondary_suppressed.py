"""Secondary suppression inside `dbt build`: the fewest further cells that protect every [c].

Reads int_cells_primary_suppressed, solves one small integer program per financial year
(foi_exploitation.suppression) and adds to each cell whether it is withheld, and, per year, how the
solver proved its answer (its time is not stored: the same input gives the same database;
`make cost` measures it). The rules come from the dbt vars (config in _intermediate__models.yml).

When the release register (var release_register_dir) holds earlier releases, the pattern is then widened
until every release together meets the standard (foi_exploitation.joint): earlier releases cannot change.
"""

from pathlib import Path

from foi_exploitation.cells import Cell, DisclosureRules
from foi_exploitation.joint import ReleaseView, check_reproduced, protect_jointly
from foi_exploitation.register import joint_inputs, private_folder, read_register, release_id
from foi_exploitation.suppression import suppress

COLUMNS = ("question", "financial_year", "category", "breakdown", "children", "is_primary")


def sql_text(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def cell_key_sql() -> str:
    return " || '|' || ".join(COLUMNS[:4])


def by_year(column: str, values: dict[str, object], sql_type: str) -> str:
    cases = " ".join(f"when {sql_text(year)} then {sql_text(value)}" for year, value in sorted(values.items()))
    return f"cast(case financial_year {cases} end as {sql_type}) as {column}"


def jointly_withheld(dbt, cells: list[Cell], withheld: set, rules: DisclosureRules) -> set:
    """The release's own pattern, widened until it is safe with every registered release."""
    # A relative register is read from the folder dbt runs in (the project folder under make); the export
    # audits against the project's register again, so a register missed here stops the export, never
    # slips through.
    register = Path(dbt.config.get("release_register_dir")).expanduser().resolve()
    extract_date = dbt.config.get("extract_date")
    this_release = release_id(dbt.config.get("foi_reference"), extract_date)
    entries = read_register(register, leave_out=this_release)
    if not entries:
        return withheld
    private = private_folder(dbt.config.get("release_private_dir"), Path.cwd())
    years = dict(dbt.ref("int_financial_years").select("financial_year, is_cce_recorded").fetchall())
    children = dbt.ref("int_children_identified_by_year").filter("is_cse or is_cce")
    rows = children.select("child_id, financial_year, sex, is_cse, is_cce, age_years").fetchall()
    earlier, counts = joint_inputs(entries, rows, years, extract_date, private)
    for view in earlier:
        check_reproduced(view, counts, years)
    # A plain statement: dbt finds the config a Python model reads only outside comprehensions.
    starts_text = dbt.config.get("age_group_starts")
    starts = tuple(int(s) for s in starts_text.split(","))
    new = ReleaseView(this_release, tuple(cells), starts, rules, is_new=True)
    return protect_jointly(cells, withheld, earlier, new, counts, years)


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt finds the config a Python model reads by reading these literal dbt.config.get calls.
    rules = DisclosureRules.from_config(
        dbt.config.get("suppression_threshold"),
        dbt.config.get("protection_level"),
        dbt.config.get("zeros_may_be_withheld"),
    )
    cells_in = dbt.ref("int_cells_primary_suppressed")
    # Release order: between equally good patterns the solver keeps the earlier cells published.
    rows = [row[:-1] for row in cells_in.select(", ".join((*COLUMNS, "sort_order"))).order("sort_order").fetchall()]
    for question, year, category, breakdown, children, is_primary in rows:
        if bool(is_primary) != rules.is_primary(children):
            raise RuntimeError(
                f"int_cells_secondary_suppressed: {question} {year} {category} / {breakdown} = {children}: "
                f"the SQL primary flag ({is_primary}) disagrees with the threshold {rules.threshold}"
            )
    cells = [Cell(*row[:5]) for row in rows]
    solution = suppress(cells, rules)
    withheld_keys = jointly_withheld(dbt, cells, set(solution.withheld), rules)
    withheld = sorted("|".join(key) for key in withheld_keys)
    secondary = sorted("|".join(key) for key in withheld_keys - solution.primary)
    years = {y.financial_year: y for y in solution.years}
    in_list = ", ".join(sql_text(k) for k in withheld) or "null"
    secondary_list = ", ".join(sql_text(k) for k in secondary) or "null"
    return cells_in.project(
        ", ".join(
            [
                "*",
                f"coalesce({cell_key_sql()} in ({in_list}), false) as is_withheld",
                f"coalesce({cell_key_sql()} in ({secondary_list}), false) as is_secondary",
                by_year("solver_status", {y: s.status for y, s in years.items()}, "varchar"),
                by_year("solver_gap", {y: s.gap for y, s in years.items()}, "double"),
                by_year("solver_iterations", {y: s.iterations for y, s in years.items()}, "integer"),
                by_year("solver_cuts", {y: s.cuts for y, s in years.items()}, "integer"),
            ]
        )
    )
