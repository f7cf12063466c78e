"""Never a stale, mislabelled or injected answer with exit 0: the build record the export checks, quoting
of everything configured, and the export's own failures in one line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import export_release
import pytest
from openpyxl import load_workbook

from conftest import DEFAULT_EXTRACT, PROJECT_DIR, dbt_build, isolated_register, query, run_dbt, warm_target
from foi_exploitation.release.data import ExtractFile, file_sha256, holds_synthetic_files
from foi_exploitation.release.export import export
from foi_exploitation.release.workbook import SYNTHETIC_STATEMENT

EXPORT = PROJECT_DIR / "scripts" / "export_release.py"


@pytest.fixture
def db_copy(default_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "foi.duckdb"
    shutil.copy(default_db, copy)
    return copy


def export_fails(db_path: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Export, which must fail with one line and write nothing; the line."""
    assert export_release.main(["--db", str(db_path), "--out", str(out)]) == 1
    message = capsys.readouterr().err.strip()
    assert message.startswith("export: no file written") and "\n" not in message, message
    assert not out.exists() or not any(out.iterdir())
    return message


def latest_outcome(db_path: Path) -> tuple[str, str]:
    return query(db_path, "select command, outcome from build_record.dbt_invocations order by started_at desc limit 1")[
        0
    ]


def test_a_full_build_records_its_success_and_its_extract(default_db: Path) -> None:
    rows = query(default_db, "select command, outcome, extract_files from build_record.dbt_invocations")
    command, outcome, files = rows[-1]
    assert (command, outcome) == ("build", "success")
    assert files.split(";")[0].startswith("assessment_factors.csv:")


def test_the_export_refuses_the_database_a_failed_build_left(
    db_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The build stops before any model (children.csv is missing), so the database still holds the
    # previous build's release, which must not go out as this extract's answer.
    broken = tmp_path / "broken"
    shutil.copytree(DEFAULT_EXTRACT, broken, copy_function=shutil.copy2)
    (broken / "children.csv").unlink()
    result = dbt_build(db_copy, broken)
    assert result.returncode != 0 and "Extract file missing" in result.stdout
    assert query(db_copy, "select count(*) from marts.foi_release")[0][0] > 0
    assert latest_outcome(db_copy)[1] in ("running", "failed")
    monkeypatch.setenv("FOI_EXTRACT_DIR", str(broken))
    message = export_fails(db_copy, tmp_path / "out", capsys)
    assert "the last `dbt build` started" in message


@pytest.mark.parametrize(
    ("command", "refusal"),
    [
        ("run", "which runs no data tests"),
        # As a selection does, and `dbt retry`, which runs again only what failed.
        ("build", "ran only part of the project"),
    ],
)
def test_the_export_refuses_a_run_of_part_of_the_project(
    command: str, refusal: str, db_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_dbt(command, "--select", "foi_release_metadata", *warm_target(tmp_path), db_path=db_copy)
    assert result.returncode == 0, result.stdout[-2000:]
    assert latest_outcome(db_copy) == (command, "partial")
    assert refusal in export_fails(db_copy, tmp_path / "out", capsys)


def test_the_export_refuses_a_killed_build(db_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import duckdb

    # What kill -9 leaves: the invocation's row, still `running`.
    with duckdb.connect(str(db_copy)) as con:
        con.execute(
            "insert into build_record.dbt_invocations select 'killed', 'build', '', extract_dir, extract_files, "
            "now(), null, 'running' from build_record.dbt_invocations limit 1"
        )
    assert "did not finish" in export_fails(db_copy, tmp_path / "out", capsys)


def test_the_export_refuses_other_extract_files_than_the_build_read(
    default_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    same = tmp_path / "same"
    shutil.copytree(DEFAULT_EXTRACT, same, copy_function=shutil.copy2)  # the same files, times kept
    monkeypatch.setenv("FOI_EXTRACT_DIR", str(same))
    ok = ["--out", str(tmp_path / "ok"), "--register", str(tmp_path / "register"), "--private", str(tmp_path / "p")]
    assert export_release.main(["--db", str(default_db), *ok]) == 0
    capsys.readouterr()
    changed = same / "children.csv"
    changed.write_text(changed.read_text(encoding="utf-8") + "C999999,2010-01-01,F\n", encoding="utf-8")
    message = export_fails(default_db, tmp_path / "out", capsys)
    assert "whose files are not those in" in message and str(same) in message
    monkeypatch.setenv("FOI_EXTRACT_DIR", str(tmp_path / "elsewhere"))
    export_fails(default_db, tmp_path / "out", capsys)


def cover_text(written: list[Path]) -> str:
    workbook = load_workbook(next(p for p in written if p.suffix == ".xlsx"))
    return " ".join(str(c.value) for row in workbook["Cover"].iter_rows() for c in row if c.value)


def test_the_cover_says_when_the_synthetic_extract_made_the_release(
    default_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FOI_EXTRACT_DIR", raising=False)
    assert SYNTHETIC_STATEMENT in cover_text(
        export(default_db, tmp_path / "a", PROJECT_DIR, **isolated_register(tmp_path / "register"))
    )
    monkeypatch.setenv("FOI_EXTRACT_DIR", str(DEFAULT_EXTRACT))  # named outright: still the synthetic one
    assert SYNTHETIC_STATEMENT in cover_text(
        export(default_db, tmp_path / "c", PROJECT_DIR, **isolated_register(tmp_path / "register"))
    )
    same = tmp_path / "council"
    shutil.copytree(DEFAULT_EXTRACT, same, copy_function=shutil.copy2)
    monkeypatch.setenv("FOI_EXTRACT_DIR", str(same))  # a copy elsewhere: the same bytes, still synthetic
    assert SYNTHETIC_STATEMENT in cover_text(
        export(default_db, tmp_path / "b", PROJECT_DIR, **isolated_register(tmp_path / "register"))
    )


def test_only_files_unlike_the_committed_ones_are_a_councils(tmp_path: Path) -> None:
    committed = DEFAULT_EXTRACT / "children.csv"
    copied = ExtractFile("children.csv", 1, file_sha256(committed))
    edited = ExtractFile("children.csv", 1, file_sha256(committed)[::-1])
    assert holds_synthetic_files([edited, copied], PROJECT_DIR)
    assert not holds_synthetic_files([edited], PROJECT_DIR)


PAYLOAD = "x'); copy (select 42) to 'injected.csv'; select ('"


def test_configured_strings_and_paths_reach_sql_as_text(db_copy: Path, tmp_path: Path) -> None:
    # What reads the extract folder (a staging model, the hooks) and what holds the council's strings.
    extract = tmp_path / f"O'Brien {PAYLOAD}"
    shutil.copytree(DEFAULT_EXTRACT, extract)
    council = f"St Mary's {PAYLOAD}"
    selection = ["--select", "stg_extract__children", "dq_extract_reconciliation", "foi_release_metadata"]
    vars_ = ["--vars", f'{{council_name: "{council}"}}']
    result = run_dbt("build", *selection, *vars_, *warm_target(tmp_path), db_path=db_copy, extract_dir=extract)
    assert result.returncode == 0, result.stdout[-3000:]
    assert query(db_copy, "select council_name from marts.foi_release_metadata") == [(council,)]
    assert query(db_copy, "select count(*) from staging.stg_extract__children")[0][0] > 0
    assert query(db_copy, "select extract_dir from build_record.dbt_invocations order by started_at desc limit 1") == [
        (str(extract),)
    ]
    assert not list(tmp_path.rglob("injected.csv")) and not (PROJECT_DIR / "injected.csv").exists()


def test_an_unwritable_or_file_valued_output_path_fails_in_one_line(
    default_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "release.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    assert export_release.main(["--db", str(default_db), "--out", str(a_file)]) == 1
    message = capsys.readouterr().err.strip()
    assert message.startswith(f"export: no file written: cannot write to {a_file}") and "\n" not in message
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert export_release.main(["--db", str(default_db), "--out", str(locked)]) == 1
        assert "cannot write to" in capsys.readouterr().err


def test_a_killed_export_leaves_nothing_behind_once_run_again(default_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # What kill -9 leaves mid-write: the staging folder of a process that is gone, half a workbook in it.
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = out / f".export-{gone.stdout.strip()}-a1b2c3"
    abandoned.mkdir()
    (abandoned / "foi_5706_child_exploitation.xlsx").write_bytes(b"PK\x03\x04 half")
    env = {**os.environ, "FOI_DUCKDB_PATH": str(default_db)}
    env.pop("FOI_EXTRACT_DIR", None)
    again = subprocess.run(
        [
            sys.executable,
            str(EXPORT),
            "--out",
            str(out),
            "--register",
            str(tmp_path / "r"),
            "--private",
            str(tmp_path / "p"),
        ],
        env=env,
        capture_output=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert not list(out.glob(".export-*"))
    assert len(list(out.iterdir())) == 12
