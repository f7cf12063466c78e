"""An exact optimum of secondary suppression by another formulation, to check the solver against.

The compact model (witness tables, as in Fischetti and Salazar's original statement): for every cell
that may be withheld, two whole tables that satisfy every relation the intruder knows, equal to the
release on every published cell, must reach the cell's requirement above and below. One integer
program per year, with the solver's tiered cost (fewest Q1 cells, then fewest cells, then least value).
It shares no code with foi_exploitation.suppression; the requirements' caps come from the audit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

from foi_exploitation.audit import audit
from foi_exploitation.cells import Cell, DisclosureRules
from tables import published


def relations(cells: Sequence[Cell]) -> list[tuple[dict[int, int], bool]]:
    at = {(c.question, c.category, c.breakdown): i for i, c in enumerate(cells)}
    found = []
    for question in ("Q5", "Q6"):
        for category in ("CCE", "CSE", "Both"):
            parts = [i for (q, cat, _), i in at.items() if q == question and cat == category]
            if parts and ("Q1", category, "All") in at:
                found.append(({at[("Q1", category, "All")]: 1, **dict.fromkeys(parts, -1)}, True))
    if all(("Q1", c, "All") in at for c in ("Total", "CCE", "CSE", "Both")):
        total, cce, cse, both = (at[("Q1", c, "All")] for c in ("Total", "CCE", "CSE", "Both"))
        found.append(({total: 1, cce: -1, cse: -1, both: 1}, True))
    for (question, category, breakdown), i in at.items():
        if category == "Both":
            for other in ("CCE", "CSE"):
                if (question, other, breakdown) in at:
                    found.append(({i: 1, at[(question, other, breakdown)]: -1}, False))
    return found


def requirements(cells: Sequence[Cell], rules: DisclosureRules) -> dict[int, tuple[int, int | None, int | None]]:
    """(width, highest, lowest) per cell that may be withheld, capped at full suppression (via the audit)."""
    may = [c for c in cells if c.children is not None and (c.children > 0 or rules.zeros_may_be_withheld)]
    full = {f.cell.key: f for f in audit(published(cells, [c.key for c in may]), rules).findings}
    needs = {}
    for i, cell in enumerate(cells):
        if cell.key not in full:
            continue
        low, high = full[cell.key].smallest, full[cell.key].largest
        width = rules.threshold if high is None else min(rules.threshold, high - low)
        highest = lowest = None
        if rules.is_primary(cell.children):
            x = cell.children
            highest = x + rules.protection_level if high is None else min(x + rules.protection_level, high)
            lowest = max(rules.floor, x - rules.protection_level, low)
        needs[i] = (width, highest, lowest)
    return needs


def optimum(cells: Sequence[Cell], rules: DisclosureRules) -> set[tuple]:
    """The secondary cells of an optimal pattern for one year (one of them, where several tie)."""
    n = len(cells)
    value = np.array([c.children or 0 for c in cells], dtype=float)
    primary = [i for i, c in enumerate(cells) if rules.is_primary(c.children)]
    if not primary:
        return set()
    candidates = [
        i
        for i, c in enumerate(cells)
        if c.children is not None
        and not rules.is_primary(c.children)
        and (c.children > 0 or rules.zeros_may_be_withheld)
    ]
    needs = requirements(cells, rules)
    holders = primary + candidates
    big = float(10 * value.sum() + 100)
    found = relations(cells)
    column = {j: k for k, j in enumerate(candidates)}
    tables = [(p, side) for p in holders for side in ("up", "down")]
    n_vars = len(candidates) + len(tables) * n
    matrix = lil_matrix((len(tables) * (len(found) + 3 * len(candidates)) + 4 * len(holders), n_vars))
    lower, upper = [], []
    var_lower = np.zeros(n_vars)
    var_upper = np.concatenate([np.ones(len(candidates)), np.full(len(tables) * n, big)])
    row = 0

    def add(coefficients: dict[int, float], low: float, high: float) -> None:
        nonlocal row
        for k, v in coefficients.items():
            matrix[row, k] = v
        lower.append(low)
        upper.append(high)
        row += 1

    def var(table: int, i: int) -> int:
        return len(candidates) + table * n + i

    for t in range(len(tables)):
        for coefficients, is_equality in found:
            add({var(t, i): v for i, v in coefficients.items()}, 0 if is_equality else -np.inf, 0)
        for i, cell in enumerate(cells):
            if cell.children is None:
                continue
            if i in column:  # published (s = 0): equal to the release; withheld: at least the floor
                add({var(t, i): 1, column[i]: -big}, -np.inf, value[i])
                add({var(t, i): 1, column[i]: big}, value[i], np.inf)
                add({var(t, i): 1, column[i]: -rules.floor}, 0, np.inf)
            elif i in primary:
                var_lower[var(t, i)] = rules.floor
            else:
                var_upper[var(t, i)] = var_lower[var(t, i)] = value[i]
    for k, p in enumerate(holders):
        up, down = 2 * k, 2 * k + 1
        width, highest, lowest = needs[p]
        if p in column:
            add({var(up, p): 1, var(down, p): -1, column[p]: -width}, 0, np.inf)
        else:
            add({var(up, p): 1, var(down, p): -1}, width, np.inf)
            if highest is not None:
                add({var(up, p): 1}, highest, np.inf)
            if lowest is not None:
                add({var(down, p): 1}, -np.inf, lowest)
    values = value[candidates]
    per_cell = values.sum() + 1
    q1 = np.array([cells[j].question == "Q1" for j in candidates], dtype=float)
    cost = np.concatenate([q1 * per_cell * (len(candidates) + 1) + per_cell + values, np.zeros(len(tables) * n)])
    result = milp(
        cost,
        constraints=[LinearConstraint(matrix.tocsr()[:row], lower, upper)],
        integrality=np.ones(n_vars),
        bounds=Bounds(var_lower, var_upper),
        options={"mip_rel_gap": 0.0, "time_limit": 600},
    )
    if result.x is None or result.status != 0:
        raise RuntimeError(f"independent optimum: {result.message}")
    return {cells[j].key for j in candidates if result.x[column[j]] > 0.5}


def tiered_cost(cells: Sequence[Cell], secondary: set[tuple]) -> tuple[int, int, int]:
    chosen = [c for c in cells if c.key in secondary]
    return (sum(c.question == "Q1" for c in chosen), len(chosen), sum(c.children or 0 for c in chosen))
