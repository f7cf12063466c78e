"""The attacker's integer program: can any suppressed ([c]) cell of the release be worked out or narrowed?

For every [c] cell the audit computes, with HiGHS (scipy.optimize.milp), the smallest and largest value it
could take given every published cell and every relation the attacker knows:

- for each financial year and category, the Q5 breakdowns add up to the Q1 cell, and so do the Q6 ones;
- in every financial year and breakdown, Total = CCE + CSE - Both (the categories are inclusive, so also
  Both <= CCE and Both <= CSE);
- every count is a non-negative integer; [x] cells (not available) are unknown too.

It passes when, for every [c] cell, largest - smallest >= the threshold. It also finds the minimum number
of cells to suppress for the same table (an optimal integer program), to report the cost of ours.

    python scripts/disclosure_audit.py                 # audit the release in FOI_DUCKDB_PATH
    python scripts/disclosure_audit.py --optimal       # and compare with the optimal suppression
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_DIR / "build" / "foi.duckdb"
CATEGORY_QUESTIONS = ("Q1", "Q5", "Q6")
# Reported as the largest value of a cell whose value has no upper limit.
UNBOUNDED = 1_000_000


@dataclass(frozen=True)
class Cell:
    question: str
    financial_year: str
    category: str
    breakdown: str
    children: int | None
    published: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.question, self.financial_year, self.category, self.breakdown)

    @property
    def is_known(self) -> bool:
        return self.published not in ("[c]", "[x]")

    def label(self) -> str:
        return f"{self.question} {self.financial_year} {self.category} / {self.breakdown}"


@dataclass(frozen=True)
class Bound:
    cell: Cell
    smallest: int
    largest: int

    @property
    def width(self) -> int:
        return self.largest - self.smallest

    def describe(self) -> str:
        largest = "no limit" if self.largest >= UNBOUNDED else str(self.largest)
        return f"{self.cell.label()}: could be {self.smallest} to {largest}"


# A linear relation over cell keys: sum(coef * cell) == 0 (equality) or <= 0 (inequality).
Relation = tuple[dict[tuple[str, str, str, str], int], bool]


def relations_for(cells: Sequence[Cell]) -> list[Relation]:
    """Every relation the attacker knows between the cells given (one block: any subset of the release)."""
    present = {c.key for c in cells}
    by_year: dict[str, set[tuple[str, str, str, str]]] = defaultdict(set)
    for key in present:
        by_year[key[1]].add(key)
    relations: list[Relation] = []
    for year, keys in sorted(by_year.items()):
        categories = sorted({k[2] for k in keys if k[0] in CATEGORY_QUESTIONS})
        for question in ("Q5", "Q6"):
            for category in categories:
                parts = sorted(k for k in keys if k[0] == question and k[2] == category)
                total = ("Q1", year, category, "All")
                if parts and total in present:
                    relations.append(({total: 1, **{k: -1 for k in parts}}, True))
        columns = sorted({(k[0], k[3]) for k in keys if k[0] in CATEGORY_QUESTIONS})
        for question, breakdown in columns:
            cell = {c: (question, year, c, breakdown) for c in ("CCE", "CSE", "Both", "Total")}
            if all(k in present for k in cell.values()):
                relations.append(({cell["Total"]: 1, cell["CCE"]: -1, cell["CSE"]: -1, cell["Both"]: 1}, True))
                relations.append(({cell["Both"]: 1, cell["CCE"]: -1}, False))
                relations.append(({cell["Both"]: 1, cell["CSE"]: -1}, False))
    return relations


def blocks(cells: Iterable[Cell]) -> list[list[Cell]]:
    """Independent parts of the release: Q1/Q5/Q6 of one year are linked; each Q3 cell stands alone."""
    grouped: dict[tuple[str, ...], list[Cell]] = defaultdict(list)
    for cell in cells:
        if cell.question in CATEGORY_QUESTIONS:
            grouped[("categories", cell.financial_year)].append(cell)
        else:
            grouped[cell.key].append(cell)
    return [grouped[k] for k in sorted(grouped)]


def attack_block(cells: Sequence[Cell]) -> list[Bound]:
    """Smallest and largest value of each [c] cell of one block, by integer programming."""
    unknown = [c for c in cells if not c.is_known]
    targets = [c for c in unknown if c.published == "[c]"]
    if not targets:
        return []
    index = {c.key: i for i, c in enumerate(unknown)}
    known = {c.key: int(c.published) for c in cells if c.is_known}
    rows, lower, upper = [], [], []
    for coefficients, is_equality in relations_for(cells):
        row = np.zeros(len(unknown))
        constant = 0
        for key, coef in coefficients.items():
            if key in index:
                row[index[key]] += coef
            else:
                constant += coef * known[key]
        if not row.any():
            continue
        rows.append(row)
        lower.append(-constant if is_equality else -np.inf)
        upper.append(-constant)
    constraints = [LinearConstraint(np.array(rows), lower, upper)] if rows else []
    integrality = np.ones(len(unknown))
    # A cap far above any count keeps the program bounded and well scaled; reaching it means no limit.
    cap = 10 * (sum(known.values()) + sum(c.children or 0 for c in unknown)) + 100
    bounds = Bounds(np.zeros(len(unknown)), np.full(len(unknown), cap))
    results = []
    for cell in targets:
        objective = np.zeros(len(unknown))
        objective[index[cell.key]] = 1
        values = []
        for sign in (1, -1):
            # HiGHS's MIP presolve was seen to return a wrong optimum (and false infeasibility) on
            # these small programs, so it is off; the LP relaxation must bound the integer answer.
            solution = milp(
                sign * objective,
                constraints=constraints,
                integrality=integrality,
                bounds=bounds,
                options={"presolve": False},
            )
            relaxed = milp(sign * objective, constraints=constraints, bounds=bounds, options={"presolve": False})
            if solution.status != 0 or relaxed.status != 0:
                raise RuntimeError(f"audit: no feasible table for {cell.label()} ({solution.message})")
            if solution.fun < relaxed.fun - 1e-6:
                raise RuntimeError(
                    f"audit: solver inconsistency on {cell.label()}: integer {solution.fun} < LP {relaxed.fun}"
                )
            values.append(round(sign * solution.fun))
        largest = UNBOUNDED if values[1] >= cap else values[1]
        results.append(Bound(cell, values[0], largest))
    return results


def audit(cells: Sequence[Cell], threshold: int) -> tuple[list[Bound], list[Bound]]:
    """(all bounds, failing bounds): a [c] cell fails when largest - smallest < threshold."""
    bounds = [b for block in blocks(cells) for b in attack_block(block)]
    return bounds, [b for b in bounds if b.width < threshold]


def primary_cells(cells: Sequence[Cell], threshold: int) -> set[tuple[str, str, str, str]]:
    return {c.key for c in cells if c.children is not None and 1 <= c.children <= threshold}


def optimal_block(cells: Sequence[Cell], threshold: int) -> set[tuple[str, str, str, str]]:
    """The fewest cells of one block to suppress so that every suppressed cell has a range >= threshold.

    For each cell p that may be suppressed, two witness tables (integer, non-negative, satisfying every
    relation, equal to the true table on every published cell) must differ by >= threshold on p.
    """
    n = len(cells)
    keys = [c.key for c in cells]
    index = {k: i for i, k in enumerate(keys)}
    true = np.array([c.children if c.children is not None else 0 for c in cells], dtype=float)
    maskable = [i for i, c in enumerate(cells) if c.children is not None]
    primary = primary_cells(cells, threshold)
    if not primary:
        return set()
    relations = relations_for(cells)
    big_m = float(max(true.max(), threshold) * 2 + threshold)
    # Variables: s (n binaries) then, for each maskable p, witness tables y_p and z_p (n each).
    witness_tables = [(p, side) for p in maskable for side in (0, 1)]
    n_vars = n + len(witness_tables) * n
    rows_needed = len(witness_tables) * (len(relations) + 2 * len(maskable)) + len(maskable)
    matrix = lil_matrix((rows_needed, n_vars))
    lower, upper = [], []
    row = 0

    def offset(table: int) -> int:
        return n + table * n

    for table in range(len(witness_tables)):
        base = offset(table)
        for coefficients, is_equality in relations:
            for key, coef in coefficients.items():
                matrix[row, base + index[key]] = coef
            lower.append(0 if is_equality else -np.inf)
            upper.append(0)
            row += 1
        for i in maskable:  # |w_i - true_i| <= M * s_i
            matrix[row, base + i] = 1
            matrix[row, i] = -big_m
            lower.append(-np.inf)
            upper.append(true[i])
            row += 1
            matrix[row, base + i] = 1
            matrix[row, i] = big_m
            lower.append(true[i])
            upper.append(np.inf)
            row += 1
    for table in range(0, len(witness_tables), 2):
        p = witness_tables[table][0]
        matrix[row, offset(table) + p] = 1
        matrix[row, offset(table + 1) + p] = -1
        matrix[row, p] = -threshold
        lower.append(0)
        upper.append(np.inf)
        row += 1
    s_lower = np.zeros(n)
    s_upper = np.zeros(n)
    for i in maskable:
        s_upper[i] = 1
        if keys[i] in primary:
            s_lower[i] = 1
    var_lower = np.concatenate([s_lower, np.zeros(n_vars - n)])
    var_upper = np.concatenate([s_upper, np.full(n_vars - n, big_m * 2)])
    objective = np.concatenate([np.ones(n), np.zeros(n_vars - n)])
    solution = milp(
        objective,
        constraints=[LinearConstraint(matrix.tocsr()[:row], lower[:row], upper[:row])],
        integrality=np.ones(n_vars),
        bounds=Bounds(var_lower, var_upper),
        options={"time_limit": 120},
    )
    if solution.x is None:
        raise RuntimeError(f"optimal suppression: no solution ({solution.message})")
    return {keys[i] for i in maskable if solution.x[i] > 0.5}


def optimal_suppression(cells: Sequence[Cell], threshold: int) -> set[tuple[str, str, str, str]]:
    return {k for block in blocks(cells) for k in optimal_block(block, threshold)}


def load_release(db_path: Path) -> list[Cell]:
    import duckdb

    if not db_path.exists():
        raise FileNotFoundError(f"no database at {db_path}: run `make release` (or dbt build) first")
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            "select question, financial_year, category, breakdown, children, published "
            "from marts.foi_release order by sort_order"
        ).fetchall()
    if not rows:
        raise ValueError(f"marts.foi_release in {db_path} is empty")
    return [Cell(*row) for row in rows]


def threshold_from_config() -> int:
    import yaml

    with open(PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as handle:
        return int(yaml.safe_load(handle)["vars"]["suppression_threshold"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("FOI_DUCKDB_PATH", DEFAULT_DB)))
    parser.add_argument("--threshold", type=int, default=None, help="default: suppression_threshold in dbt_project.yml")
    parser.add_argument("--optimal", action="store_true", help="also compute the optimal number of suppressions")
    args = parser.parse_args(argv)
    threshold = args.threshold or threshold_from_config()
    try:
        cells = load_release(args.db)
    except (FileNotFoundError, ValueError) as error:
        print(f"disclosure audit: {error}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    _, failing = audit(cells, threshold)
    seconds = time.perf_counter() - started
    primary = primary_cells(cells, threshold)
    suppressed = {c.key for c in cells if c.published == "[c]"}
    print(
        f"disclosure audit: {len(suppressed)} [c] cells ({len(primary)} primary, "
        f"{len(suppressed - primary)} secondary) of {len(cells)}; attacked in {seconds:.2f} s"
    )
    if args.optimal:
        started = time.perf_counter()
        optimal = optimal_suppression(cells, threshold)
        print(
            f"optimal suppression: {len(optimal)} cells ({len(optimal - primary)} secondary) "
            f"in {time.perf_counter() - started:.1f} s; ours: {len(suppressed - primary)} secondary"
        )
    if failing:
        print(f"disclosure audit FAILED: {len(failing)} [c] cells can be narrowed below {threshold}:", file=sys.stderr)
        for bound in failing:
            print(f"  {bound.describe()}", file=sys.stderr)
        return 1
    print(f"disclosure audit passed: every [c] cell could be any of at least {threshold + 1} values")
    return 0


if __name__ == "__main__":
    sys.exit(main())
