"""Disclosure control: the audit catches leaks; the macro's output passes the audit on the default
release and on generated tables; its cost is reported against the optimal suppression."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import disclosure_audit as audit_tool
import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import dbt_build, query, run_dbt

THRESHOLD = 5
SEXES = ["Male", "Female", "Not known"]
AGES = ["Under 10", "10-12", "13-15", "16-17", "Not recorded"]
CATEGORIES = ["CCE", "CSE", "Both", "Total"]


def release_cells(db_path: Path) -> list[audit_tool.Cell]:
    return audit_tool.load_release(db_path)


def test_default_release_passes_the_audit_quickly(default_db: Path) -> None:
    cells = release_cells(default_db)
    started = time.perf_counter()
    bounds, failing = audit_tool.audit(cells, THRESHOLD)
    elapsed = time.perf_counter() - started
    assert failing == []
    assert len(bounds) == sum(c.published == "[c]" for c in cells) > 0
    assert elapsed < 10, f"audit took {elapsed:.1f} s"


def test_every_primary_cell_is_withheld_and_zeros_are_published(default_db: Path) -> None:
    for cell in release_cells(default_db):
        if cell.children is not None and 1 <= cell.children <= THRESHOLD:
            assert cell.published == "[c]", cell.label()
    q3_zeros = [c for c in release_cells(default_db) if c.question == "Q3" and c.children == 0]
    assert all(c.published == "0" for c in q3_zeros)


def test_primary_suppression_alone_is_caught(default_db: Path) -> None:
    cells = [
        replace(c, published="[c]")
        if c.children is not None and 1 <= c.children <= THRESHOLD
        else replace(c, published="[x]" if c.children is None else str(c.children))
        for c in release_cells(default_db)
    ]
    _, failing = audit_tool.audit(cells, THRESHOLD)
    assert failing, "primary suppression alone should be breakable"


def test_single_suppressed_cell_in_a_published_row_is_caught(default_db: Path) -> None:
    cells = [replace(c, published="[x]" if c.children is None else str(c.children)) for c in release_cells(default_db)]
    # Hand-made leak: one Q5 cell withheld while its Q1 total and the other breakdowns are published.
    target = next(c for c in cells if c.question == "Q5" and c.category == "CSE" and c.children and c.children > 0)
    cells = [replace(c, published="[c]") if c == target else c for c in cells]
    _, failing = audit_tool.audit(cells, THRESHOLD)
    assert [b.cell.key for b in failing] == [target.key]
    assert failing[0].smallest == failing[0].largest == target.children


def test_main_names_failing_cells(default_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit_tool.main(["--db", str(default_db)]) == 0
    # A stricter threshold than the release was built with: the audit must fail and name cells.
    assert audit_tool.main(["--db", str(default_db), "--threshold", "50"]) == 1
    assert "could be" in capsys.readouterr().err
    assert audit_tool.main(["--db", str(tmp_path / "missing.duckdb")]) == 2


def test_dbt_build_goes_red_when_the_audit_fails(default_db: Path, tmp_path: Path) -> None:
    db_copy = tmp_path / "foi.duckdb"
    db_copy.write_bytes(default_db.read_bytes())
    result = run_dbt(
        "run",
        "--select",
        "foi_release_disclosure_audit",
        "--vars",
        "{suppression_threshold: 50}",
        "--target-path",
        str(tmp_path / "target"),
        "--log-path",
        str(tmp_path / "logs"),
        db_path=db_copy,
    )
    assert result.returncode != 0
    assert "disclosure audit failed" in result.stdout


def test_secondary_suppressions_within_one_and_a_half_times_optimal(default_db: Path) -> None:
    cells = release_cells(default_db)
    primary = audit_tool.primary_cells(cells, THRESHOLD)
    ours = {c.key for c in cells if c.published == "[c]"} - primary
    optimal = audit_tool.optimal_suppression(cells, THRESHOLD) - primary
    # The optimal pattern is itself safe: the audit agrees.
    optimal_cells = [replace(c, published="[c]") if c.key in optimal | primary else c for c in cells]
    assert audit_tool.audit(optimal_cells, THRESHOLD)[1] == []
    assert len(ours) <= 1.5 * len(optimal), (len(ours), len(optimal))


# ---- Property-based tests: the macro's own SQL on generated tables --------------------------------


def compile_harness(tmp: Path, method: str) -> str:
    result = run_dbt(
        "compile",
        "--target",
        "memory",
        "--select",
        "disclosure_control_harness",
        "--vars",
        f"{{disclosure_method: {method}}}",
        "--target-path",
        str(tmp / method),
        "--log-path",
        str(tmp / "logs"),
    )
    assert result.returncode == 0, result.stdout[-3000:]
    compiled = next((tmp / method).rglob("disclosure_control_harness.sql"))
    return compiled.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def harness_sql(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("harness")
    return {method: compile_harness(tmp, method) for method in ("moves", "hidden_tables")}


small_counts = st.sampled_from([0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 20])


@st.composite
def release_tables(draw: st.DrawFn) -> list[tuple]:
    """Q1/Q5/Q6 rows of one to three years, consistent by construction: each year is drawn as hidden
    counts of CCE-only, CSE-only and Both children per sex x age group, then added up."""
    rows = []
    for year_order in range(1, draw(st.integers(1, 3)) + 1):
        year = f"20{20 + year_order}/{21 + year_order}"
        cce_recorded = draw(st.booleans())
        hidden = {(s, a): (draw(small_counts), draw(small_counts), draw(small_counts)) for s in SEXES for a in AGES}
        if draw(st.booleans()):  # many empty groups: lone small cells in a breakdown
            for key in draw(st.lists(st.sampled_from(list(hidden)), max_size=12)):
                hidden[key] = (0, 0, 0)

        def count(category: str, keep, hidden=hidden) -> int:
            total = 0
            for (s, a), (cce_only, cse_only, both) in hidden.items():
                if keep(s, a):
                    total += {
                        "CCE": cce_only + both,
                        "CSE": cse_only + both,
                        "Both": both,
                        "Total": cce_only + cse_only + both,
                    }[category]
            return total

        for c_order, category in enumerate(CATEGORIES, 1):
            available = category == "CSE" or cce_recorded
            columns = [("Q1", "All", lambda s, a: True)]
            columns += [("Q5", s, lambda s2, a, s=s: s2 == s) for s in SEXES]
            columns += [("Q6", a, lambda s, a2, a=a: a2 == a) for a in AGES]
            for b_order, (question, breakdown, keep) in enumerate(columns, 1):
                value = count(category, keep) if available else None
                rows.append((question, year, category, breakdown, value, year_order, c_order, b_order))
    return rows


def run_harness(sql: str, rows: list[tuple]) -> list[audit_tool.Cell]:
    with duckdb.connect() as con:
        con.execute(
            "create table harness_cells (question varchar, financial_year varchar, category varchar, "
            "breakdown varchar, children integer, financial_year_order integer, category_order integer, "
            "breakdown_order integer)"
        )
        con.executemany("insert into harness_cells values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        result = con.execute(
            f"select question, financial_year, category, breakdown, children, is_suppressed from ({sql})"
        ).fetchall()
    cells = []
    for question, year, category, breakdown, children, suppressed in result:
        published = "[x]" if children is None else "[c]" if suppressed else str(children)
        cells.append(audit_tool.Cell(question, year, category, breakdown, children, published))
    return cells


def check_table(sql: str, rows: list[tuple]) -> None:
    cells = run_harness(sql, rows)
    assert len(cells) == len(rows)
    for cell in cells:
        if cell.children is not None and 1 <= cell.children <= THRESHOLD:
            assert cell.published == "[c]", cell.label()
    _, failing = audit_tool.audit(cells, THRESHOLD)
    assert failing == [], [b.describe() for b in failing]


PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("FOI_PROPERTY_EXAMPLES", "250")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(rows=release_tables())
def test_moves_method_output_passes_the_audit(harness_sql: dict[str, str], rows: list[tuple]) -> None:
    check_table(harness_sql["moves"], rows)


@PROPERTY_SETTINGS
@given(rows=release_tables())
def test_hidden_table_method_output_passes_the_audit(harness_sql: dict[str, str], rows: list[tuple]) -> None:
    check_table(harness_sql["hidden_tables"], rows)


def test_default_build_reports_the_audit_table(default_db: Path) -> None:
    rows = query(
        default_db, "select count(*), min(cast(is_protected as integer)) from marts.foi_release_disclosure_audit"
    )
    withheld = query(default_db, "select count(*) from marts.foi_release where published = '[c]'")[0][0]
    assert rows[0] == (withheld, 1)


def test_other_threshold_from_configuration(tmp_path: Path) -> None:
    db_path = tmp_path / "foi.duckdb"
    result = dbt_build(db_path, None, "--vars", "{suppression_threshold: 3}")
    assert result.returncode == 0, result.stdout[-3000:]
    cells = release_cells(db_path)
    assert not any(
        c.published == "[c]" and c.children is not None and c.children > 3 and c.question == "Q3" for c in cells
    )
    assert audit_tool.audit(cells, 3)[1] == []
