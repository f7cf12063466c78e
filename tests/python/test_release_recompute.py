"""foi_release.children matches an independent plain-Python computation, cell for cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import generate_extract
from conftest import DEFAULT_EXTRACT, PROJECT_DIR, dbt_build, project_vars, query
from foi_exploitation.audit import audit
from foi_exploitation.cells import DisclosureRules
from foi_exploitation.generator import COLUMNS
from foi_exploitation.release_db import load_cells
from independent_optimum import optimum, tiered_cost
from reference_counts import compute


def expected_cells(extract_dir: Path, age_bands: list[tuple[int, int]] | None = None) -> dict:
    config = project_vars()
    held = {}
    with open(PROJECT_DIR / "seeds" / "council" / "council_q3_items.csv", encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            parts = line.split(",")
            held[parts[1]] = parts[2] == "true"
    return compute(
        extract_dir,
        extract_date=dt.date.fromisoformat(config["extract_date"]),
        first_fy=int(config["first_financial_year"]),
        last_fy=int(config["last_financial_year"]),
        cce_start=dt.date.fromisoformat(config["cce_recording_start_date"]),
        q3_held=held,
        **({"age_bands": age_bands} if age_bands else {}),
    )


def release_cells(db_path: Path) -> dict:
    rows = query(db_path, "select question, financial_year, category, breakdown, children from marts.foi_release")
    return {row[:4]: row[4] for row in rows}


def assert_same_cells(db_path: Path, extract_dir: Path, age_bands: list[tuple[int, int]] | None = None) -> None:
    expected, actual = expected_cells(extract_dir, age_bands), release_cells(db_path)
    assert set(actual) == set(expected)
    differing = {cell: (actual[cell], expected[cell]) for cell in expected if actual[cell] != expected[cell]}
    assert differing == {}


def test_default_release_matches_independent_computation(default_db: Path) -> None:
    assert_same_cells(default_db, DEFAULT_EXTRACT)
    # The default data is not trivial: most published cells are non-zero.
    values = [v for v in release_cells(default_db).values() if v is not None]
    assert sum(v > 0 for v in values) > len(values) / 2


def test_other_extract_matches_independent_computation(tmp_path: Path) -> None:
    """Another council's extract, read as Parquet; the independent computation reads the same rows as CSV."""
    extract_dir, parquet_dir = tmp_path / "other_council", tmp_path / "other_council_parquet"
    other = ["--seed", "2024", "--scale", "0.6"]
    generate_extract.main(["--out", str(extract_dir), *other])
    generate_extract.main(["--out", str(parquet_dir), *other, "--format", "parquet"])
    assert not list(parquet_dir.glob("*.csv"))
    db_path = tmp_path / "foi.duckdb"
    result = dbt_build(db_path, parquet_dir)
    assert result.returncode == 0, result.stdout[-4000:]
    assert_same_cells(db_path, extract_dir)
    # Every Parquet row is accounted for, under the file's own name.
    reconciled = query(db_path, "select file_name, is_reconciled from marts.dq_extract_reconciliation order by 1")
    assert reconciled == sorted((f"{name}.parquet", True) for name in COLUMNS)
    # The other extract really was read: its counts are not the default's.
    assert release_cells(db_path) != expected_cells(DEFAULT_EXTRACT)
    # Its release is safe against the intruder and as cheap as an independent exact optimum, year by year.
    cells, rules = load_cells(db_path), DisclosureRules()
    assert audit(cells, rules).passed
    for year in sorted({c.financial_year for c in cells}):
        linked = [c for c in cells if c.financial_year == year and c.question in ("Q1", "Q5", "Q6")]
        ours = {c.key for c in linked if c.published == "[c]" and not rules.is_primary(c.children)}
        assert tiered_cost(linked, ours) == tiered_cost(linked, optimum(linked, rules)), year


def test_other_age_groups_match_the_independent_computation(tmp_path: Path) -> None:
    """A second request's bands (the var age_group_starts): written out by hand here, not from the var."""
    db_path = tmp_path / "foi.duckdb"
    result = dbt_build(db_path, None, "--vars", "{age_group_starts: [0, 10, 14, 16]}")
    assert result.returncode == 0, result.stdout[-4000:]
    bands = [(0, 9), (10, 13), (14, 15), (16, 17)]
    assert_same_cells(db_path, DEFAULT_EXTRACT, bands)
    groups = [r[0] for r in query(db_path, "select distinct breakdown from marts.foi_release where question = 'Q6'")]
    assert sorted(groups) == sorted(["Under 10", "10-13", "14-15", "16-17", "Not recorded"])
    assert audit(load_cells(db_path), DisclosureRules()).passed


@pytest.mark.parametrize("starts", ["[0, 13, 10]", "[5, 10, 16]", "[0, 10, 18]", "'0, 10'", "[0, 10.5]", "[]"], ids=str)
def test_age_group_starts_that_are_not_plainly_valid_stop_the_build(starts: str, tmp_path: Path) -> None:
    result = dbt_build(tmp_path / "foi.duckdb", None, "--vars", f"{{age_group_starts: {starts}}}")
    assert result.returncode != 0
    assert "age_group_starts must be whole numbers rising from 0" in result.stdout, result.stdout[-2000:]


@pytest.mark.parametrize("question", ["Q1", "Q5", "Q6"])
def test_questions_present(default_db: Path, question: str) -> None:
    assert query(default_db, f"select count(*) from marts.foi_release where question = '{question}'")[0][0] > 0
