"""An integer attack on several releases at once, written apart from foi_exploitation.joint: its own
unknowns (children per year by CCE/CSE state, sex, single year of age and, across two extracts, whether
the child is in both, only the later or only the earlier), its own reading of the cells, its own programs
(scipy's milp, always the integer program, never a relaxation).

For every [c] of every release, every run of single years of age between two releases' band edges that
no release publishes as a band, and (across extracts) the children each cell gained or lost, with a true
count from 1 to T, it finds the smallest and largest count a whole table of children allows, and checks
them against the standard: at least T + 1 possible values, a small count able to reach x + P and x - P
(not below its floor), each capped at what the last release would allow had it withheld every non-zero
count of that year (for an earlier release's cell: at what the earlier releases alone allow). The intruder
knows how many children the revision removed.
"""

from __future__ import annotations

from collections import Counter
from itertools import product

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

SEXES = ("Male", "Female", "Not known")
SEES = {"later": {"same", "added"}, "earlier": {"same", "gone"}}


def groups_of(starts: list[int]) -> dict[str, list[int | None]]:
    groups: dict[str, list[int | None]] = {}
    for i, start in enumerate(starts):
        end = (starts[i + 1] - 1) if i + 1 < len(starts) else 17
        name = f"Under {end + 1}" if start == 0 else (str(start) if start == end else f"{start}-{end}")
        groups[name] = list(range(start, end + 1))
    groups["Not recorded"] = [None]
    return groups


class YearTable:
    def __init__(self, recorded: bool, two_extracts: bool) -> None:
        states = ["cce", "cse", "both"] if recorded else ["cse"]
        self.presence = ["same", "added", "gone"] if two_extracts else ["same"]
        self.unknowns = list(product(states, SEXES, [*range(18), None], self.presence))
        self.recorded = recorded

    def members(self, category: str, sex: str | None, ages: list[int | None] | None, presence: set[str]) -> np.ndarray:
        wanted = {"CCE": {"cce", "both"}, "CSE": {"cse", "both"}, "Both": {"both"}, "Total": {"cce", "cse", "both"}}
        states = wanted[category] if self.recorded else ({"cse"} if category == "CSE" else set())
        return np.array(
            [
                1.0
                if s in states and (sex is None or x == sex) and (ages is None or a in ages) and p in presence
                else 0.0
                for s, x, a, p in self.unknowns
            ]
        )


def cell_vector(table: YearTable, cell: dict, starts: list[int], presence: set[str]) -> np.ndarray:
    sex = cell["breakdown"] if cell["question"] == "Q5" else None
    ages = groups_of(starts)[cell["breakdown"]] if cell["question"] == "Q6" else None
    return table.members(cell["category"], sex, ages, presence)


def bounds_of(table: YearTable, releases: list, vector: np.ndarray, removed: int) -> tuple:
    rows, low, high = [], [], []
    for cells, starts, floor, snapshot in releases:
        for cell in cells:
            if cell["question"] not in ("Q1", "Q5", "Q6") or cell["published"] == "[x]":
                continue
            rows.append(cell_vector(table, cell, starts, SEES[snapshot] & set(table.presence)))
            low.append(floor if cell["published"] == "[c]" else int(cell["published"]))
            high.append(np.inf if cell["published"] == "[c]" else int(cell["published"]))
    if "gone" in table.presence:
        rows.append(np.array([1.0 if u[3] == "gone" else 0.0 for u in table.unknowns]))
        low.append(removed)
        high.append(removed)
    if not rows:
        return 0, None
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


def state_of(recorded: bool, is_cse: bool, is_cce: bool) -> str | None:
    if recorded:
        return "both" if is_cse and is_cce else "cse" if is_cse else "cce" if is_cce else None
    return "cse" if is_cse else None


def per_child(rows: list[tuple], year: str, recorded: bool) -> dict:
    found = {}
    for child, fy, sex, is_cse, is_cce, age in rows:
        if fy == year and (state := state_of(recorded, is_cse, is_cce)):
            found[child] = (state, sex, age if age is not None and 0 <= age <= 17 else None)
    return found


def truth_of(table: YearTable, later: dict, earlier: dict | None) -> np.ndarray:
    counts: Counter = Counter()
    if earlier is None:
        for value in later.values():
            counts[(*value, "same")] += 1
    else:
        for child in later.keys() | earlier.keys():
            after, before = later.get(child), earlier.get(child)
            if after is not None and after == before:
                counts[(*after, "same")] += 1
                continue
            if after is not None:
                counts[(*after, "added")] += 1
            if before is not None:
                counts[(*before, "gone")] += 1
    return np.array([counts[u] for u in table.unknowns], dtype=float)


def narrower_than_allowed(
    releases: list[tuple],
    child_years: list[tuple],
    recorded_years: dict[str, bool],
    earlier_child_years: list[tuple] | None = None,
    threshold: int = 5,
    protection: int = 3,
) -> list[str]:
    """What the attack narrows beyond the standard (after caps). Releases are (cells, age group starts,
    floor, snapshot "later" or "earlier"); the last is the newest. Rows: (child_id, financial_year, sex,
    is_cse, is_cce, age_years) of the current extract and, across a revision, of the earlier one."""
    problems = []
    for year, recorded in sorted(recorded_years.items()):
        two = earlier_child_years is not None
        table = YearTable(recorded, two)
        earlier = per_child(earlier_child_years, year, recorded) if two else None
        truth = truth_of(table, per_child(child_years, year, recorded), earlier)
        removed = int(sum(t for t, u in zip(truth, table.unknowns, strict=True) if u[3] == "gone"))
        in_year = [([c for c in cells if c["financial_year"] == year], s, f, snap) for cells, s, f, snap in releases]
        newest = in_year[-1]
        hidden = [
            {**c, "published": "[c]"} if c["published"].isdigit() and c["published"] != "0" else c for c in newest[0]
        ]
        capped = [*in_year[:-1], (hidden, *newest[1:])]
        targets = []  # (label, vector, floor, of an earlier release)
        for index, (cells, starts, floor, snapshot) in enumerate(in_year):
            for cell in cells:
                if cell["question"] not in ("Q1", "Q5", "Q6"):
                    continue
                if cell["published"] == "[c]":
                    vector = cell_vector(table, cell, starts, SEES[snapshot] & set(table.presence))
                    targets.append((f"release {index + 1} {cell}", vector, floor, index < len(in_year) - 1))
                if two and cell["published"] != "[x]":
                    for what in ("added", "gone"):
                        vector = cell_vector(table, cell, starts, {what})
                        if 1 <= vector @ truth <= threshold:
                            targets.append((f"{what} in {cell}", vector, 0, False))
        # Every run of ages between any two band edges that is not whole bands of one release, for each
        # set of states a reader could difference, seen from each snapshot.
        edges = sorted({e for _, starts, _, _ in releases for e in starts} | {18})
        whole = {(s[i], e) for _, s, _, _ in releases for i in range(len(s)) for e in [*s[i + 1 :], 18]}
        state_sets = (
            [{"cce"}, {"cse"}, {"both"}, {"cce", "both"}, {"cse", "both"}, {"cce", "cse", "both"}]
            if recorded
            else [{"cse"}]
        )
        sights = [{"same", "added"}] + ([{"same", "gone"}, {"added"}, {"gone"}] if two else [])
        if len({tuple(r[1]) for r in releases}) > 1:
            for i, low in enumerate(edges):
                for high in edges[i + 1 :]:
                    if (low, high) in whole:
                        continue
                    for states in state_sets:
                        for sight in sights:
                            vector = np.array(
                                [
                                    1.0
                                    if st in states and low <= (a if a is not None else -1) < high and p in sight
                                    else 0.0
                                    for st, _, a, p in table.unknowns
                                ]
                            )
                            if 1 <= vector @ truth <= threshold:
                                targets.append(
                                    (f"{year} {sorted(states)} aged {low}-{high - 1} {sorted(sight)}", vector, 0, False)
                                )
        for label, vector, floor, of_earlier in targets:
            x = int(vector @ truth)
            smallest, largest = bounds_of(table, in_year, vector, removed)
            width, up, down = threshold, None, None
            if 1 <= x <= threshold:
                up, down = x + protection, max(floor, x - protection)
            if not _meets(smallest, largest, width, up, down):
                # The cap: an earlier release's cell as the earlier releases alone leave it; any other as the
                # newest release would leave it had it withheld every non-zero count of the year.
                cap_low, cap_high = bounds_of(table, in_year[:-1] if of_earlier else capped, vector, removed)
                width = width if cap_high is None else min(width, cap_high - cap_low)
                up = up if cap_high is None or up is None else min(up, cap_high)
                down = None if down is None else max(down, cap_low)
            if not _meets(smallest, largest, width, up, down):
                problems.append(f"{year} {label}: {smallest} to {largest}")
    return problems


def _meets(smallest: int, largest: int | None, width: int, up: int | None, down: int | None) -> bool:
    if largest is not None and (largest - smallest < width or (up is not None and largest < up)):
        return False
    return down is None or smallest <= down
