"""Reading a council's own extract with FOI_EXTRACT_DIR: missing files and columns stop the run with a
message naming them; bad rows are excluded with a reason, once each, and reconciled."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from conftest import DEFAULT_EXTRACT, dbt_build, query, run_dbt
from foi_exploitation.generator import COLUMNS

# A small extract with one bad row of each kind. Column order differs from the contract and an extra
# column is present: both are allowed.
BAD_ROWS_EXTRACT = {
    "children.csv": """sex,child_id,date_of_birth,ethnicity
F,C1,2008-05-01,not used
 m ,C2,2009-01-01,not used
F,C1,2008-05-01,not used
F,,2008-01-01,not used
M,C3,31/02/2010,not used
M,C4,2010-01-01,not used
F,C4,2010-01-01,not used
X,C5,,not used
""",
    "referrals.csv": """referral_id,child_id,referral_date,closure_date
R1,C1,2023-05-01,
R2,C2,2023-06-01,2023-09-01
R3,C9,2023-06-01,
R4,C4,2023-06-01,
R5,C1,2027-01-01,
R6,C5,not-a-date,
R7,C5,2023-07-01,
R8,C2,2023-06-01 00:00:00,2023-06-02T00:00:00
R9,C9,2023-13-01,
""",
    "assessments.csv": """assessment_id,referral_id,start_date,authorised_date
A1,R1,2023-05-02,2023-05-20
A2,R2,2023-06-02,2023-06-20
A3,R3,2023-06-02,2023-06-20
A4,R99,2023-06-02,2023-06-20
A5,R7,2023-07-02,
A6,R7,2023-07-02,2023-07-40
A3,R3,2023-06-02,2023-06-20
""",
    "assessment_factors.csv": """assessment_id,factor_code
A1,11A
A1, 11a
A2,24A
A2,RB
A3,11A
A9,11A
A2,21
A3,21
A9,RB
""",
    "exploitation_flags.csv": """child_id,flag_type,risk_level,start_date,end_date
C1,GANG,,2023-01-01,
C1,BANANA,,2023-01-01,
C2,RISK_LEVEL,EXTREME,2023-01-01,
C9,GANG,,2023-01-01,
C2,GANG,,2023-05-01,2023-01-01
""",
}

# (file, row number in the file, key, reason): the later of two identical rows is the repeat.
EXPECTED_EXCLUSIONS = sorted(
    [
        ("children.csv", 3, "C1", "repeat of an identical row"),
        ("children.csv", 4, "", "child_id missing"),
        ("children.csv", 7, "C4", "another row for the same child_id (kept once: unknown where they disagree)"),
        ("referrals.csv", 3, "R3", "child_id not in children.csv"),
        ("referrals.csv", 5, "R5", "referral_date after the extract date"),
        ("referrals.csv", 6, "R6", "referral_date is not a YYYY-MM-DD date"),
        # A row's own file's rules come before its parent's: R9's child is not in children.csv either.
        ("referrals.csv", 9, "R9", "referral_date is not a YYYY-MM-DD date"),
        ("assessments.csv", 3, "A3", "its referral row is excluded"),
        ("assessments.csv", 4, "A4", "referral_id not in referrals.csv"),
        ("assessments.csv", 6, "A6", "authorised_date is not a YYYY-MM-DD date"),
        ("assessments.csv", 7, "A3", "repeat of an identical row"),
        ("assessment_factors.csv", 2, "A1,11A", "repeat of an identical row"),
        ("assessment_factors.csv", 4, "A2,RB", "factor_code is not a CIN census factor code"),
        ("assessment_factors.csv", 5, "A3,11A", "its assessment row is excluded"),
        ("assessment_factors.csv", 6, "A9,11A", "assessment_id not in assessments.csv"),
        ("assessment_factors.csv", 7, "A2,21", "factor 21 (no factors identified) beside other factors"),
        # The parent's rule comes before the 21 rule (A3 has an 11A too), and the file's own before both.
        ("assessment_factors.csv", 8, "A3,21", "its assessment row is excluded"),
        ("assessment_factors.csv", 9, "A9,RB", "factor_code is not a CIN census factor code"),
        ("exploitation_flags.csv", 2, "C1,BANANA,2023-01-01", "flag_type is not a contract flag type"),
        (
            "exploitation_flags.csv",
            3,
            "C2,RISK_LEVEL,2023-01-01",
            "risk_level must be LOW, MEDIUM or HIGH on a RISK_LEVEL row",
        ),
        ("exploitation_flags.csv", 4, "C9,GANG,2023-01-01", "child_id not in children.csv"),
        ("exploitation_flags.csv", 5, "C2,GANG,2023-05-01", "end_date before start_date"),
    ]
)


# The bad-rows extract is mostly bad rows: build it whatever share of rows is excluded.
EVERY_SHARE = ("--vars", "{max_excluded_share: 1}")


def write_extract(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def bad_rows_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("bad_rows")
    extract = write_extract(root / "extract", BAD_ROWS_EXTRACT)
    db_path = root / "foi.duckdb"
    result = dbt_build(db_path, extract, *EVERY_SHARE)
    assert result.returncode == 0, result.stdout[-6000:]
    return extract, db_path


def test_missing_file_is_named(tmp_path: Path) -> None:
    files = {k: v for k, v in BAD_ROWS_EXTRACT.items() if k != "assessments.csv"}
    result = dbt_build(tmp_path / "foi.duckdb", write_extract(tmp_path / "extract", files))
    assert result.returncode != 0
    assert "Extract file missing: neither assessments.csv nor assessments.parquet is in" in result.stdout


def test_a_blank_extract_folder_is_refused_not_replaced_by_the_default(tmp_path: Path) -> None:
    db_path = tmp_path / "foi.duckdb"
    result = run_dbt("build", db_path=db_path, extra_env={"FOI_EXTRACT_DIR": "  "})
    assert result.returncode != 0
    assert "FOI_EXTRACT_DIR is set but empty" in result.stdout
    assert not db_path.exists() or not query(
        db_path, "select * from information_schema.tables where table_schema = 'marts'"
    )


def test_a_file_given_as_both_csv_and_parquet_is_refused(tmp_path: Path) -> None:
    extract = write_extract(tmp_path / "extract", dict(BAD_ROWS_EXTRACT))
    duckdb.sql(f"copy (from read_csv('{extract}/children.csv')) to '{extract}/children.parquet'")
    result = dbt_build(tmp_path / "foi.duckdb", extract)
    assert result.returncode != 0
    assert "holds both children.csv and children.parquet" in result.stdout
    assert not (tmp_path / "foi.duckdb").exists() or not query(
        tmp_path / "foi.duckdb", "select * from information_schema.tables where table_schema = 'marts'"
    )


def test_missing_column_is_named(tmp_path: Path) -> None:
    files = dict(BAD_ROWS_EXTRACT)
    files["children.csv"] = "child_id,date_of_birth\nC1,2008-05-01\n"
    result = dbt_build(tmp_path / "foi.duckdb", write_extract(tmp_path / "extract", files))
    assert result.returncode != 0
    assert "children.csv lacks required column 'sex'" in result.stdout


def test_each_bad_row_is_excluded_once_with_its_reason(bad_rows_build: tuple[Path, Path]) -> None:
    _, db_path = bad_rows_build
    listed = query(
        db_path, "select file_name, source_row_number, record_key, exclusion_reason from marts.dq_extract_exclusions"
    )
    assert sorted(listed) == EXPECTED_EXCLUSIONS


def test_reconciliation_accounts_for_every_raw_row(bad_rows_build: tuple[Path, Path]) -> None:
    extract, db_path = bad_rows_build
    rows = query(
        db_path,
        "select file_name, rows_in, rows_used, rows_excluded, is_reconciled from marts.dq_extract_reconciliation",
    )
    assert len(rows) == 5
    for file_name, rows_in, used, excluded, is_reconciled in rows:
        raw_lines = (extract / file_name).read_text(encoding="utf-8").strip().splitlines()
        assert rows_in == len(raw_lines) - 1, file_name
        assert used + excluded == rows_in and is_reconciled, file_name
        assert excluded == sum(1 for e in EXPECTED_EXCLUSIONS if e[0] == file_name), file_name


def test_repaired_rows_are_used_and_counted(bad_rows_build: tuple[Path, Path]) -> None:
    _, db_path = bad_rows_build
    # ISO dates with a midnight time, as a datetime column exports, are read as the date.
    assert query(
        db_path, "select referral_date, closure_date from staging.stg_extract__referrals where referral_id = 'R8'"
    ) == [(dt.date(2023, 6, 1), dt.date(2023, 6, 2))]
    sexes = dict(
        query(db_path, "select child_id, sex from staging.stg_extract__children where exclusion_reason is null")
    )
    # C3's date of birth is unreadable: kept, age Not recorded. C4 is on two rows that disagree on sex:
    # one child, sex Not known, date of birth as both rows give it.
    assert sexes == {"C1": "Female", "C2": "Male", "C3": "Male", "C4": "Not known", "C5": "Not known"}
    kept = query(
        db_path,
        "select child_id, date_of_birth, has_unreadable_date_of_birth, has_conflicting_rows "
        "from staging.stg_extract__children where child_id in ('C3', 'C4') and exclusion_reason is null",
    )
    assert sorted(kept) == [("C3", None, True, False), ("C4", dt.date(2010, 1, 1), False, True)]
    q1 = dict(
        query(
            db_path,
            "select category, children from marts.foi_release where question = 'Q1' and financial_year = '2023/24'",
        )
    )
    assert q1 == {"CCE": 1, "CSE": 1, "Both": 0, "Total": 2}


def test_exploitation_flags_file_is_optional(tmp_path: Path) -> None:
    extract = tmp_path / "extract"
    extract.mkdir()
    for path in DEFAULT_EXTRACT.glob("*.csv"):
        if path.name != "exploitation_flags.csv":
            (extract / path.name).write_bytes(path.read_bytes())
    db_path = tmp_path / "foi.duckdb"
    result = dbt_build(db_path, extract)
    assert result.returncode == 0, result.stdout[-4000:]
    # County lines are counted from flags only: with no flags file, none (a zero, not a missing answer).
    county_lines = query(db_path, "select distinct children from marts.foi_release where category = 'County lines'")
    assert county_lines == [(0,)]


@pytest.mark.parametrize("file_name", sorted(COLUMNS))
def test_source_row_number_points_at_the_row_in_the_file(default_db: Path, file_name: str) -> None:
    """Row N of the staging model is row N of the committed file (under its header), for every row: its id
    is the file row's, and an excluded row keeps the raw row as read (a used row has no copy of it)."""
    id_column = COLUMNS[file_name][0]
    with open(DEFAULT_EXTRACT / f"{file_name}.csv", encoding="utf-8", newline="") as handle:
        in_file = {
            number: (row[id_column].strip() or None, ",".join(row[column] for column in COLUMNS[file_name]))
            for number, row in enumerate(csv.DictReader(handle), start=1)
        }
    rows = query(
        default_db,
        f"select source_row_number, {id_column}, source_row, exclusion_reason from staging.stg_extract__{file_name}",
    )
    assert sorted(number for number, *_ in rows) == sorted(in_file)
    excluded = 0
    for number, row_id, source_row, exclusion_reason in rows:
        file_id, file_row = in_file[number]
        assert row_id == file_id, number
        assert source_row == (file_row if exclusion_reason else None), number
        excluded += exclusion_reason is not None
    assert excluded > 0, "the committed extract has excluded rows in every file"


def test_row_numbers_that_miss_or_repeat_a_row_fail_their_test(default_db: Path, tmp_path: Path) -> None:
    """numbers_every_row_once (every number 1..N once) fails where a staging table repeats a row number,
    lacks one, or leaves one empty (in a base table: on it and on the staging view over it), and passes the
    tables left as built."""
    db_path = tmp_path / "foi.duckdb"
    db_path.write_bytes(default_db.read_bytes())
    with duckdb.connect(str(db_path)) as con:
        con.execute("update staging.stg_extract__children set source_row_number = 1 where source_row_number = 2")
        con.execute("delete from staging.base_extract__referrals where source_row_number = 3")
        con.execute("update staging.base_extract__assessments set source_row_number = null where source_row_number = 4")
    result = run_dbt("test", "--select", "test_name:numbers_every_row_once", db_path=db_path)
    failed = {
        line.split("numbers_every_row_once_")[1].split("_source_row_number")[0]
        for line in result.stdout.splitlines()
        if "FAIL 1 numbers_every_row_once_" in line
    }
    assert result.returncode == 1, result.stdout[-3000:]
    assert failed == {
        "stg_extract__children",
        "base_extract__referrals",
        "stg_extract__referrals",
        "base_extract__assessments",
        "stg_extract__assessments",
    }, result.stdout[-3000:]
    assert result.stdout.count("PASS numbers_every_row_once_") == 4, result.stdout[-3000:]


def test_a_repeated_or_missing_key_fails_its_primary_key_test(default_db: Path, tmp_path: Path) -> None:
    """primary_key (one scan; on DuckDB only rows whose key hash repeats are grouped by the key) fails where
    a row that passes its file's checks repeats another's key, one key of two columns or one, or lacks a key
    column, and passes the tables left as built."""
    db_path = tmp_path / "foi.duckdb"
    db_path.write_bytes(default_db.read_bytes())
    with duckdb.connect(str(db_path)) as con:
        factor = con.execute(
            "select assessment_id, factor_code from staging.base_extract__assessment_factors "
            "where file_check_reason is null order by source_row_number limit 1"
        ).fetchone()
        con.execute(
            "update staging.base_extract__assessment_factors set assessment_id = ?, factor_code = ? "
            "where source_row_number = (select max(source_row_number) from staging.base_extract__assessment_factors "
            "where file_check_reason is null)",
            list(factor),
        )
        con.execute(
            "update staging.stg_extract__children set child_id = (select min(child_id) from staging.stg_extract__children "
            "where exclusion_reason is null) where source_row_number = (select max(source_row_number) "
            "from staging.stg_extract__children where exclusion_reason is null)"
        )
        con.execute(
            "update staging.base_extract__assessments set assessment_id = null where source_row_number = (select "
            "min(source_row_number) from staging.base_extract__assessments where file_check_reason is null)"
        )
    result = run_dbt("test", "--select", "test_name:primary_key", db_path=db_path)
    key_tests = {
        "children": "primary_key_stg_extract__children_",
        "referrals": "referrals_passing_file_checks_have_unique_ids",
        "assessments": "assessments_passing_file_checks_have_unique_ids",
        "assessment_factors": "assessment_factors_passing_file_checks_are_unique",
    }
    failed = {
        model
        for line in result.stdout.splitlines()
        if " FAIL " in line
        for model, test_name in key_tests.items()
        if test_name in line
    }
    assert result.returncode == 1, result.stdout[-3000:]
    assert failed == {"children", "assessments", "assessment_factors"}, result.stdout[-3000:]
    assert f"PASS {key_tests['referrals']}" in result.stdout, result.stdout[-3000:]
