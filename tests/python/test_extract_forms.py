"""The forms a council's extract really comes in: read where the contract allows them (day-first dates with
the var set, midnight times, sex as words, a line starting with '#'), and the build stopped, naming the file
and the problem, where an answer would otherwise be a confident zero or lose rows quietly."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import DEFAULT_EXTRACT, PROJECT_DIR, dbt_build, query, run_dbt, warm_target

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
RELEASE = "select question, financial_year, category, breakdown, children, published from marts.foi_release"


def rewrite(source: Path, folder: Path, change: Callable[[str, int, dict[str, str]], dict[str, str]]) -> Path:
    """A copy of the extract with change(file name, row number, row) applied to every data row."""
    folder.mkdir(parents=True)
    for path in sorted(source.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [change(path.name, number, dict(row)) for number, row in enumerate(reader, start=1)]
            fields = reader.fieldnames or []
        with open(folder / path.name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def dates(row: dict[str, str], form: Callable[[re.Match[str]], str]) -> dict[str, str]:
    return {key: ISO_DATE.sub(form, value) for key, value in row.items()}


def day_first(number: int) -> Callable[[re.Match[str]], str]:
    # Every other date carries a midnight time, as a datetime column exports.
    return lambda m: f"{m[3]}/{m[2]}/{m[1]}" + (" 00:00" if number % 2 else "")


SEX_WORDS = {"M": "Male", "F": "female", "U": "Unknown", "1": "MALE", "2": "Female", "9": "not known"}


def day_first_with_times_and_words(name: str, number: int, row: dict[str, str]) -> dict[str, str]:
    row = dates(row, day_first(number))
    if name == "children.csv":
        row["sex"] = SEX_WORDS.get(row["sex"].strip().upper(), row["sex"])
    return row


def test_day_first_dates_sex_words_and_a_hash_line_give_the_same_release(default_db: Path, tmp_path: Path) -> None:
    extract = rewrite(DEFAULT_EXTRACT, tmp_path / "extract", day_first_with_times_and_words)
    with open(extract / "children.csv", "a", encoding="utf-8") as handle:
        handle.write("#C999999,01/01/2010,F\n")  # a data row, not a comment: a child with no referral
    db_path = tmp_path / "foi.duckdb"
    result = dbt_build(db_path, extract, "--vars", "{extract_date_format: DD/MM/YYYY}")
    assert result.returncode == 0, result.stdout[-3000:]
    assert sorted(query(db_path, RELEASE)) == sorted(query(default_db, RELEASE))
    assert query(db_path, "select sex from staging.stg_extract__children where child_id = '#C999999'") == [("Female",)]
    lines = len((extract / "children.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert query(
        db_path, "select rows_in, is_reconciled from marts.dq_extract_reconciliation where file_name = 'children.csv'"
    ) == [(lines, True)]


def header_only(name: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")

    return damage


def factor_lists(folder: Path) -> None:
    path = folder / "assessment_factors.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(5, lines[5].split(",")[0] + ',"11A,12A,4A"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def every_tenth_referral_date_unreadable(folder: Path) -> None:
    path = folder / "referrals.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [line.replace(",20", ",x20", 1) if n % 10 == 0 else line for n, line in enumerate(lines)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def sex_column_twice(folder: Path) -> None:
    path = folder / "children.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + ",sex"] + [line + ",M" for line in lines[1:]]) + "\n", encoding="utf-8")


def day_first_dates_without_the_var(folder: Path) -> None:
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\b(\d{4})-(\d{2})-(\d{2})\b", r"\3/\2/\1", text), encoding="utf-8")


def footer_line(folder: Path) -> None:
    path = folder / "referrals.csv"
    rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"Total rows: {rows}\n")


def ragged_row(folder: Path) -> None:
    path = folder / "assessments.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[9] += ",2023-01-01"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def latin1_text(folder: Path) -> None:
    path = folder / "children.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",", "\u00e9,", 1)
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))


def utf16_text(folder: Path) -> None:
    path = folder / "children.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))


def utf16_forms(encoding: str, with_mark: bool) -> Callable[[Path], None]:
    """UTF-16 written another way: big-endian with its byte-order mark (FE FF), or either order without one
    (a zero byte first, or second)."""

    def damage(folder: Path) -> None:
        path = folder / "children.csv"
        text = path.read_text(encoding="utf-8")
        path.write_bytes((("\ufeff" if with_mark else "") + text).encode(encoding))

    return damage


def workbook_renamed(folder: Path) -> None:
    from openpyxl import Workbook

    Workbook().save(folder / "children.csv")


def damaged_copy(folder: Path, damage: Callable[[Path], None]) -> Path:
    folder.mkdir()
    for path in DEFAULT_EXTRACT.glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    damage(folder)
    return folder


def test_the_release_is_built_only_after_the_extract_checks(default_db: Path) -> None:
    # So a stop in dq_extract_checks (below) leaves no foi_release to export.
    built_in = [default_db.parent / "dbt_target", PROJECT_DIR / "target"]
    path = next(folder / "manifest.json" for folder in built_in if (folder / "manifest.json").exists())
    manifest = json.loads(path.read_text(encoding="utf-8"))
    upstream = manifest["nodes"]["model.foi_exploitation.foi_release"]["depends_on"]["nodes"]
    assert "model.foi_exploitation.dq_extract_checks" in upstream


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (
            day_first_dates_without_the_var,
            r"children\.csv: date_of_birth is not a YYYY-MM-DD date on \d{5} of 14922 rows",
        ),
        (header_only("children.csv"), r"children\.csv: no usable row \(0 read"),
        (header_only("assessment_factors.csv"), r"assessment_factors\.csv: no usable row \(0 read"),
        (factor_lists, r"assessment_factors\.csv: row 5 \(and 0 more\) holds several factor codes in one field"),
        (every_tenth_referral_date_unreadable, r"referrals\.csv: \d+ of 20670 rows excluded, more than max_excluded"),
        (sex_column_twice, r"children\.csv names column 'sex' twice"),
        (footer_line, r"referrals\.csv line 20672 \('Total rows: 20670'\): Expected Number of Columns: 4 Found: 1"),
        (
            ragged_row,
            r"assessments\.csv line 10 \('A\w+,R\w+,[-0-9]+,[-0-9]*,2023-01-01'\): Expected Number of Columns",
        ),
        (latin1_text, r"children\.csv line 4 holds bytes that are not UTF-8"),
        (utf16_text, r"children\.csv is UTF-16 text, not UTF-8"),
        (utf16_forms("utf-16-be", with_mark=True), r"children\.csv is UTF-16 text, not UTF-8"),
        (utf16_forms("utf-16-le", with_mark=False), r"children\.csv is UTF-16 text, not UTF-8"),
        (utf16_forms("utf-16-be", with_mark=False), r"children\.csv is UTF-16 text, not UTF-8"),
        (workbook_renamed, r"children\.csv is a zip file \(an Excel workbook renamed \.csv\?\)"),
    ],
    ids=[
        "day-first dates, var not set",
        "header-only children",
        "header-only factors",
        "factor lists",
        "10% bad dates",
        "repeated column",
        "footer line",
        "ragged row",
        "Latin-1",
        "UTF-16",
        "UTF-16 big-endian with its mark",
        "UTF-16 little-endian, no mark",
        "UTF-16 big-endian, no mark",
        "workbook renamed",
    ],
)
def test_an_extract_that_cannot_answer_stops_the_build_naming_the_file(
    damage: Callable[[Path], None], expected: str, tmp_path: Path
) -> None:
    # Up to the check only: foi_release is built after it (the test above).
    extract = damaged_copy(tmp_path / "extract", damage)
    selection = ["--select", "+dq_extract_checks", "--exclude-resource-type", "test", "unit_test"]
    result = run_dbt("build", *selection, *warm_target(tmp_path), db_path=tmp_path / "foi.duckdb", extract_dir=extract)
    assert result.returncode != 0
    assert re.search(expected, result.stdout), result.stdout[-3000:]
