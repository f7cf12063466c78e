"""A council's analyst on a fresh clone: `make -C <clone> release` from another folder with relative paths,
and `dbt build` from anywhere, with nothing made by hand and nothing set but what the README says."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DEFAULT_EXTRACT, PROJECT_DIR, query

VENV = PROJECT_DIR / ".venv"


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files git tracks, as a fresh clone has them (the working tree's, so uncommitted work is tested)."""
    folder = tmp_path_factory.mktemp("newcomer") / "foi"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = PROJECT_DIR / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOI_", "DBT_"))}
    return {**env, "DO_NOT_TRACK": "1", **extra}


def test_make_release_from_another_folder_with_relative_paths(clone: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "analyst"
    shutil.copytree(DEFAULT_EXTRACT, elsewhere / "extracts" / "jan", copy_function=shutil.copy2)
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(clone), "release", f"VENV={VENV}"],
        cwd=elsewhere,
        env=clean_env(
            PWD=str(elsewhere),
            FOI_EXTRACT_DIR="extracts/jan",
            FOI_DUCKDB_PATH="db/council.duckdb",
            HOME=str(tmp_path / "home"),  # the private per-child states go under it, not the real home
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    database = elsewhere / "db" / "council.duckdb"
    assert f"Database: {database}" in result.stdout
    (extract_dir,) = query(database, "select extract_dir from build_record.dbt_invocations")[0]
    assert Path(extract_dir) == elsewhere / "extracts" / "jan"
    release = clone / "output" / "FOI_5706_2026-01-31"
    assert (release / "foi_5706_child_exploitation.xlsx").is_file()
    # A short account, not dbt's line per node: the summary names the warning and what it means.
    assert len(result.stdout.splitlines()) < 40, result.stdout
    models = [path for path in (clone / "models").rglob("*") if path.suffix in {".sql", ".py"}]
    assert f"dbt build: {len(models)} models" in result.stdout and "still count, as Not known" in result.stdout
    assert "PASS" not in result.stdout
    # Registered in the clone's own register; its per-child states kept outside it, pseudonymised.
    assert (clone / "releases" / "FOI_5706_2026-01-31" / "cells.csv").is_file()
    kept = tmp_path / "home" / ".foi-exploitation" / "private" / "FOI_5706_2026-01-31.csv"
    assert kept.is_file() and "C1" not in kept.read_text(encoding="utf-8").split("\n", 2)[1]


def test_dbt_from_another_folder_uses_the_projects_database_and_extract(clone: Path, tmp_path: Path) -> None:
    """As the README says: DBT_PROFILES_DIR names the clone, and dbt builds the clone's build/foi.duckdb from
    the clone's default extract (build/ is in the clone: no folder made by hand)."""
    elsewhere = tmp_path / "somewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(VENV / "bin" / "dbt"), "run", "--select", "stg_extract__children", "--project-dir", str(clone)],
        cwd=elsewhere,
        env=clean_env(DBT_PROFILES_DIR=str(clone)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert not any(elsewhere.iterdir()), list(elsewhere.iterdir())
    rows = query(clone / "build" / "foi.duckdb", "select extract_dir, outcome from build_record.dbt_invocations")
    assert [(Path(rows[-1][0]), rows[-1][1])] == [(clone / "data" / "extract", "partial")]
