"""An integer attack on several releases at once, written apart from foi_exploitation.joint: its own
unknowns (children per year, CCE/CSE state, sex and single year of age), its own reading of the cells,
its own programs (scipy's milp, always the integer program, never a relaxation).

For every [c] of every release, and every run of single years of age between two releases' band edges
that no release publishes as a band (a differenced group) holding 1 to T children, it finds the smallest
and largest count a whole table of children allows, and checks them against the standard: at least T + 1
possible values, a small count able to reach x + P and x - P (not below its floor), each capped at what
the last release would allow had it withheld every non-zero count of that year.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise, product

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

SEXES = ("Male", "Female", "Not known")


def groups_of(starts: list[int]) -> dict[str, list[int | None]]:
    groups: dict[str, list[int | None]] = {}
    for i, start in enumerate(starts):
        end = (starts[i + 1] - 1) if i + 1 < len(starts) else 17
        name = f"Under {end + 1}" if start == 0 else (str(start) if start == end else f"{start}-{end}")
        groups[name] = list(range(start, end + 1))
    groups["Not recorded"] = [None]
    return groups


class YearTable:
    def __init__(self, recorded: bool) -> None:
        states = ["cce", "cse", "both"] if recorded else ["cse"]
        self.unknowns = list(product(states, SEXES, [*range(18), None]))
        self.recorded = recorded

    def members(self, category: str, sex: str | None, ages: list[int | None] | None) -> np.ndarray:
        wanted = {"CCE": {"cce", "both"}, "CSE": {"cse", "both"}, "Both": {"both"}, "Total": {"cce", "cse", "both"}}
        states = wanted[category] if self.recorded else {"cse"} & ({"cse"} if category == "CSE" else set())
        return np.array(
            [
                1.0 if s in states and (sex is None or x == sex) and (ages is None or a in ages) else 0.0
                for s, x, a in self.unknowns
            ]
        )


def cell_vector(table: YearTable, cell: dict, starts: list[int]) -> np.ndarray:
    sex = cell["breakdown"] if cell["question"] == "Q5" else None
    ages = groups_of(starts)[cell["breakdown"]] if cell["question"] == "Q6" else None
    return table.members(cell["category"], sex, ages)


def bounds_of(table: YearTable, releases: list[tuple[list[dict], list[int], int]], vector: np.ndarray) -> tuple:
    rows, low, high = [], [], []
    for cells, starts, floor in releases:
        for cell in cells:
            if cell["question"] not in ("Q1", "Q5", "Q6") or cell["published"] == "[x]":
                continue
            rows.append(cell_vector(table, cell, starts))
            if cell["published"] == "[c]":
                low.append(floor)
                high.append(np.inf)
            else:
                low.append(int(cell["published"]))
                high.append(int(cell["published"]))
    found = []
    for sign in (1.0, -1.0):
        result = milp(
            sign * vector,
            constraints=[LinearConstraint(np.array(rows), low, high)],
            integrality=np.ones(len(table.unknowns)),
            bounds=Bounds(0, 10_000),
            options={"mip_rel_gap": 0.0},
        )
        assert result.status == 0, result.message
        found.append(round(sign * result.fun))
    smallest, largest = found
    return smallest, (None if largest >= 5_000 else largest)


def true_atoms(child_years: list[tuple], year: str, recorded: bool, table: YearTable) -> np.ndarray:
    counts: Counter = Counter()
    for fy, sex, is_cse, is_cce, age in child_years:
        if fy != year:
            continue
        age = age if age is not None and 0 <= age <= 17 else None
        if recorded:
            state = "both" if is_cse and is_cce else "cse" if is_cse else "cce" if is_cce else None
        else:
            state = "cse" if is_cse else None
        if state:
            counts[(state, sex, age)] += 1
    return np.array([counts[u] for u in table.unknowns], dtype=float)


def narrower_than_allowed(
    releases: list[tuple[list[dict], list[int], int]],
    child_years: list[tuple],
    recorded_years: dict[str, bool],
    threshold: int = 5,
    protection: int = 3,
) -> list[str]:
    """What the attack narrows beyond the standard (after caps); the last release is the newest."""
    problems = []
    for year, recorded in sorted(recorded_years.items()):
        table = YearTable(recorded)
        truth = true_atoms(child_years, year, recorded, table)
        in_year = [([c for c in cells if c["financial_year"] == year], s, f) for cells, s, f in releases]
        newest, *_ = in_year[-1]
        capped_newest = [
            {**c, "published": "[c]"} if c["published"].isdigit() and c["published"] != "0" else c for c in newest
        ]
        capped = [*in_year[:-1], (capped_newest, in_year[-1][1], in_year[-1][2])]
        targets = []
        for index, (cells, starts, floor) in enumerate(in_year):
            for cell in cells:
                if cell["published"] == "[c]" and cell["question"] in ("Q1", "Q5", "Q6"):
                    targets.append((f"release {index + 1} {cell}", cell_vector(table, cell, starts), floor))
        edges = sorted({e for _, starts, _ in releases for e in starts} | {18})
        bands = {tuple(a) for _, starts, _ in releases for a in groups_of(starts).values() if a != [None]}
        if len({tuple(s) for _, s, _ in releases}) > 1:
            for low, high in pairwise(edges):
                if tuple(range(low, high)) in bands:
                    continue
                for category in ("CCE", "CSE", "Both") if recorded else ("CSE",):
                    vector = table.members(category, None, list(range(low, high)))
                    if 1 <= vector @ truth <= threshold:
                        targets.append((f"{year} {category} aged {low}-{high - 1}", vector, 0))
        for label, vector, floor in targets:
            x = int(vector @ truth)
            smallest, largest = bounds_of(table, in_year, vector)
            width, up, down = threshold, None, None
            if 1 <= x <= threshold:
                up, down = x + protection, max(floor, x - protection)
            if not _meets(smallest, largest, width, up, down):
                cap_low, cap_high = bounds_of(table, capped, vector)
                width = width if cap_high is None else min(width, cap_high - cap_low)
                up = up if cap_high is None or up is None else min(up, cap_high)
                down = None if down is None else max(down, cap_low)
            if not _meets(smallest, largest, width, up, down):
                problems.append(f"{label}: {smallest} to {largest}")
    return problems


def _meets(smallest: int, largest: int | None, width: int, up: int | None, down: int | None) -> bool:
    if largest is not None and (largest - smallest < width or (up is not None and largest < up)):
        return False
    return down is None or smallest <= down
