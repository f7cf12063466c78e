"""Disclosure control inside `dbt build`: the audit model reports every [c], a failing audit turns the build
red, a bad disclosure var stops it, and other rules from configuration give a safe release."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import dbt_build, query, run_dbt
from foi_exploitation.cells import DisclosureRules
from foi_exploitation.release_db import load_cells
from tables import assert_safe


def test_default_build_reports_the_audit_table(default_db: Path) -> None:
    rows = query(
        default_db,
        "select count(*), min(cast(is_protected as integer)), count(*) filter (where is_capped) "
        "from marts.foi_release_disclosure_audit",
    )
    withheld = query(default_db, "select count(*) from marts.foi_release where published = '[c]'")[0][0]
    assert rows[0][:2] == (withheld, 1) and rows[0][2] >= 1


def test_dbt_build_goes_red_when_the_audit_fails(default_db: Path, tmp_path: Path) -> None:
    db_copy = tmp_path / "foi.duckdb"
    db_copy.write_bytes(default_db.read_bytes())
    logs = ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    result = run_dbt(
        "run",
        "--select",
        "foi_release_disclosure_audit",
        "--vars",
        "{suppression_threshold: 50}",
        *logs,
        db_path=db_copy,
    )
    assert result.returncode != 0
    assert "disclosure audit failed" in result.stdout and "a count from 1 to 50 is published" in result.stdout


@pytest.mark.parametrize(
    # Below 1, and not a whole number: the two ways a var fails, one on each var.
    "bad",
    ["{suppression_threshold: 0}", "{protection_level: 'five'}"],
)
def test_dbt_build_refuses_a_bad_disclosure_var(bad: str, tmp_path: Path) -> None:
    db_path = tmp_path / "foi.duckdb"
    result = dbt_build(db_path, None, "--vars", bad)
    assert result.returncode != 0
    assert "must be a whole number of at least 1" in result.stdout
    assert not db_path.exists() or not query(
        db_path, "select * from information_schema.tables where table_name = 'foi_release'"
    )


def test_other_rules_from_configuration(default_db: Path, tmp_path: Path) -> None:
    # The counts do not depend on the disclosure rules: rebuild only what does, on a copy of the default build.
    db_path = tmp_path / "foi.duckdb"
    db_path.write_bytes(default_db.read_bytes())
    again = ["--select", "int_cells_primary_suppressed+", "foi_release_metadata"]
    result = dbt_build(db_path, None, *again, "--vars", "{suppression_threshold: 3, protection_level: 2}")
    assert result.returncode == 0, result.stdout[-3000:]
    cells = load_cells(db_path)
    rules = DisclosureRules(3, 2)
    assert_safe(cells, rules)
    assert any(c.published == "[c]" and c.children == 3 for c in cells)
    assert not any(c.published == "[c]" and c.children in (4, 5) and c.question == "Q3" for c in cells)
