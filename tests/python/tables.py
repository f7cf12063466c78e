"""Release tables for the disclosure tests: consistent by construction, in the release's shape.

Each year is drawn as hidden counts of CCE-only, CSE-only and Both children per sex x age group and
then added up, so every relation the intruder knows holds. Before the CCE recording start only CSE is
available (CCE, Both and Total are [x]). `assert_safe` is what every released pattern must satisfy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from hypothesis import strategies as st

from foi_exploitation.audit import audit
from foi_exploitation.cells import Cell, DisclosureRules

SEXES = ["Male", "Female", "Not known"]
AGES = ["Under 10", "10-12", "13-15", "16-17", "Not recorded"]
Q1_CATEGORIES = ["CCE", "CSE", "Both", "Total"]
BREAKDOWN_CATEGORIES = ["CCE", "CSE", "Both"]
Hidden = dict[tuple[str, str], tuple[int, int, int]]


def year_cells(year: str, hidden: Hidden, cce_recorded: bool = True) -> list[Cell]:
    """Q1, Q5 and Q6 of one year, in release order, from (CCE only, CSE only, Both) per sex x age."""

    def count(category: str, keep) -> int:
        total = 0
        for (sex, age), (cce_only, cse_only, both) in hidden.items():
            if keep(sex, age):
                total += {
                    "CCE": cce_only + both,
                    "CSE": cse_only + both,
                    "Both": both,
                    "Total": cce_only + cse_only + both,
                }[category]
        return total

    def cell(question: str, category: str, breakdown: str, keep) -> Cell:
        available = category == "CSE" or cce_recorded
        return Cell(question, year, category, breakdown, count(category, keep) if available else None)

    cells = [cell("Q1", c, "All", lambda s, a: True) for c in Q1_CATEGORIES]
    cells += [cell("Q5", c, s, lambda s2, a, s=s: s2 == s) for c in BREAKDOWN_CATEGORIES for s in SEXES]
    cells += [cell("Q6", c, a, lambda s, a2, a=a: a2 == a) for c in BREAKDOWN_CATEGORIES for a in AGES]
    return cells


def published(cells: Iterable[Cell], withheld: Iterable[tuple]) -> list[Cell]:
    """The cells as a release would publish them, with `withheld` as [c]."""
    hidden = set(withheld)
    return [
        replace(c, published="[x]" if c.children is None else "[c]" if c.key in hidden else str(c.children))
        for c in cells
    ]


small_counts = st.sampled_from([0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20])


@st.composite
def hidden_counts(draw: st.DrawFn) -> Hidden:
    hidden = {(s, a): (draw(small_counts), draw(small_counts), draw(small_counts)) for s in SEXES for a in AGES}
    if draw(st.booleans()):  # many empty groups: lone small cells in a breakdown
        for key in draw(st.lists(st.sampled_from(list(hidden)), max_size=12)):
            hidden[key] = (0, 0, 0)
    return hidden


@st.composite
def release_tables(draw: st.DrawFn) -> list[Cell]:
    """One to three years of Q1, Q5 and Q6, some before the CCE recording start."""
    cells: list[Cell] = []
    for order in range(1, draw(st.integers(1, 3)) + 1):
        year = f"20{20 + order}/{21 + order}"
        cells += year_cells(year, draw(hidden_counts()), cce_recorded=draw(st.booleans()))
    return cells


@st.composite
def small_years(draw: st.DrawFn) -> list[Cell]:
    """One year with few non-zero groups: few enough candidate cells to enumerate every pattern."""
    groups = [(s, a) for s in SEXES for a in AGES]
    hidden: Hidden = dict.fromkeys(groups, (0, 0, 0))
    for key in draw(st.lists(st.sampled_from(groups), min_size=1, max_size=3, unique=True)):
        hidden[key] = (draw(small_counts), draw(small_counts), draw(small_counts))
    return year_cells("2023/24", hidden, cce_recorded=draw(st.booleans()))


def assert_safe(cells: list[Cell], rules: DisclosureRules | None = None) -> None:
    """What every released pattern must satisfy, checked by the audit and directly."""
    rules = rules or DisclosureRules()
    report = audit(cells, rules)
    assert report.passed, report.problems
    for cell in cells:
        if rules.is_primary(cell.children):
            assert cell.published == "[c]", cell.label()
        if cell.children == 0 and not rules.zeros_may_be_withheld:
            assert cell.published == "0", cell.label()
