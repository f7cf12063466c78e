"""The synthetic extract generator: deterministic, contract-shaped, realistic at the stated rates."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
from collections import Counter, defaultdict
from pathlib import Path

import pytest

import generate_extract
from conftest import DEFAULT_EXTRACT, project_vars
from foi_exploitation import generator

FILES = list(generator.COLUMNS)
CONTRACT_COLUMNS = {
    "children": {"child_id", "date_of_birth", "sex"},
    "referrals": {"referral_id", "child_id", "referral_date", "closure_date"},
    "assessments": {"assessment_id", "referral_id", "start_date", "authorised_date"},
    "assessment_factors": {"assessment_id", "factor_code"},
    "exploitation_flags": {"child_id", "flag_type", "risk_level", "start_date", "end_date"},
}
# The default data's yearly ranges, as the README states them (full financial years).
REFERRALS_PER_YEAR = (2600, 3400)
ASSESSMENTS_WITH_11A = (35, 65)
ASSESSMENTS_WITH_24A = (45, 90)
ASSESSMENTS_WITH_13A = (10, 40)


def read(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def fy(day: str) -> int:
    d = dt.date.fromisoformat(day)
    return d.year if d.month >= 4 else d.year - 1


@pytest.fixture(scope="module")
def default_extract() -> dict[str, list[dict[str, str]]]:
    return {name: read(DEFAULT_EXTRACT, name) for name in FILES}


def test_same_seed_gives_byte_identical_files_and_the_committed_default(tmp_path: Path) -> None:
    assert generate_extract.main(["--out", str(tmp_path / "a")]) == 0
    assert generate_extract.main(["--out", str(tmp_path / "b")]) == 0
    for name in FILES:
        assert filecmp.cmp(tmp_path / "a" / f"{name}.csv", tmp_path / "b" / f"{name}.csv", shallow=False), name
        # The committed default extract is exactly what the one command regenerates.
        assert filecmp.cmp(tmp_path / "a" / f"{name}.csv", DEFAULT_EXTRACT / f"{name}.csv", shallow=False), name


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate_extract.main(["--out", str(tmp_path), "--seed", "11"])
    assert not filecmp.cmp(tmp_path / "referrals.csv", DEFAULT_EXTRACT / "referrals.csv", shallow=False)


def test_contract_columns_present(default_extract: dict) -> None:
    for name, rows in default_extract.items():
        assert rows, f"{name}.csv is empty"
        assert set(rows[0]) == CONTRACT_COLUMNS[name], name


def test_yearly_ranges_stated_in_readme(default_extract: dict) -> None:
    extract_date = dt.date.fromisoformat(project_vars()["extract_date"])
    cce_start = dt.date.fromisoformat(project_vars()["cce_recording_start_date"])
    full_years = [y for y in range(2019, 2100) if dt.date(y + 1, 3, 31) <= extract_date]
    referrals = Counter(fy(r["referral_date"]) for r in default_extract["referrals"] if r["referral_date"])
    authorised = {
        a["assessment_id"]: a["authorised_date"] for a in default_extract["assessments"] if a["authorised_date"]
    }
    with_code: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for f in default_extract["assessment_factors"]:
        day = authorised.get(f["assessment_id"])
        if day:
            with_code[f["factor_code"].strip().upper()][fy(day)].add(f["assessment_id"])
    for year in full_years:
        assert REFERRALS_PER_YEAR[0] <= referrals[year] <= REFERRALS_PER_YEAR[1], (year, referrals[year])
        assert ASSESSMENTS_WITH_11A[0] <= len(with_code["11A"][year]) <= ASSESSMENTS_WITH_11A[1], year
        assert ASSESSMENTS_WITH_13A[0] <= len(with_code["13A"][year]) <= ASSESSMENTS_WITH_13A[1], year
        if dt.date(year, 4, 1) >= cce_start:
            assert ASSESSMENTS_WITH_24A[0] <= len(with_code["24A"][year]) <= ASSESSMENTS_WITH_24A[1], year
    # 24A only from the configured recording start.
    early = [a for a in with_code["24A"].values() for a in a if authorised[a] < cce_start.isoformat()]
    assert early == []


def test_children_recur_across_years(default_extract: dict) -> None:
    years_by_child: dict[str, set[int]] = defaultdict(set)
    for r in default_extract["referrals"]:
        if r["referral_date"]:
            years_by_child[r["child_id"]].add(fy(r["referral_date"]))
    recurring = sum(1 for years in years_by_child.values() if len(years) > 1)
    assert recurring / len(years_by_child) > 0.1


def share(count: int, total: int) -> float:
    return count / total if total else 0.0


def within(measured: float, stated: float) -> bool:
    """A measured rate is within the stated one: at most double, at least a third (small samples)."""
    return stated / 3 <= measured <= stated * 2


def test_mess_at_stated_rates(default_extract: dict) -> None:
    rates = generator.MESS_RATES
    children = default_extract["children"]
    ids = {c["child_id"] for c in children}
    sexes = [c["sex"] for c in children]
    assert within(
        share(sum(s.strip() in ("1", "2", "0", "9") for s in sexes), len(sexes)), rates["children_legacy_sex_code"]
    )
    assert within(share(sum(s != s.strip().upper() for s in sexes), len(sexes)), rates["children_messy_sex_code"])
    assert within(
        share(sum(s.strip().upper() not in ("M", "F", "U", "1", "2", "0", "9") for s in sexes), len(sexes)),
        rates["children_invalid_sex_code"],
    )
    referrals = default_extract["referrals"]
    assert within(
        share(sum(r["child_id"] not in ids for r in referrals), len(referrals)), rates["referrals_orphan_child"]
    )
    extract_date = project_vars()["extract_date"]
    assert within(
        share(sum(r["referral_date"] > extract_date for r in referrals), len(referrals)),
        rates["referrals_future_dated"],
    )
    assessments = default_extract["assessments"]
    referral_ids = {r["referral_id"] for r in referrals}
    assert within(
        share(sum(a["referral_id"] not in referral_ids for a in assessments), len(assessments)),
        rates["assessments_orphan_referral"],
    )
    assert within(
        share(sum(a["authorised_date"] == "" for a in assessments), len(assessments)), rates["assessments_incomplete"]
    )
    factors = default_extract["assessment_factors"]
    codes = [f["factor_code"] for f in factors]
    assert within(share(sum(c != c.strip().upper() for c in codes), len(codes)), rates["factors_messy_code"])
    assert within(
        share(sum(c in generator.INVALID_FACTOR_CODES for c in codes), len(codes)), rates["factors_invalid_code"]
    )
    for name, rows in default_extract.items():
        repeats = len(rows) - len({tuple(r.values()) for r in rows})
        assert within(share(repeats, len(rows)), rates["exact_duplicate_rows"]) or len(rows) < 5000, name
    # Missing dates of birth, and young people assessed at 18 or over, are there too.
    assert any(c["date_of_birth"] == "" for c in children)


def test_scale_and_many_councils(tmp_path: Path) -> None:
    generate_extract.main(["--out", str(tmp_path / "region"), "--councils", "2", "--scale", "0.2"])
    for council in ("council_01", "council_02"):
        for name in FILES:
            assert (tmp_path / "region" / council / f"{name}.csv").exists()
    small = len(read(tmp_path / "region" / "council_01", "referrals"))
    assert 0.1 < small / len(read(DEFAULT_EXTRACT, "referrals")) < 0.3
    assert not filecmp.cmp(
        tmp_path / "region" / "council_01" / "referrals.csv",
        tmp_path / "region" / "council_02" / "referrals.csv",
        shallow=False,
    )


def test_national_layout_is_one_folder_with_ids_unique_across_councils(tmp_path: Path) -> None:
    one, two = tmp_path / "one_worker", tmp_path / "two_workers"
    small = ["--national", "--scale", "0.004", "--seed", "3"]
    assert generate_extract.main([*small, "--out", str(one), "--workers", "1"]) == 0
    assert generate_extract.main([*small, "--out", str(two), "--workers", "2"]) == 0
    for name in FILES:  # the same files whatever the number of processes
        assert filecmp.cmp(one / f"{name}.csv", two / f"{name}.csv", shallow=False), name
    assert sorted(p.name for p in one.iterdir()) == sorted(f"{name}.csv" for name in FILES)
    children = read(one, "children")
    councils = {row["child_id"].split("-")[0] for row in children}
    assert len(councils) == 150
    # Each council numbers its children from C100001: only the prefix keeps them apart.
    assert len({row["child_id"] for row in children}) == len({tuple(row.values()) for row in children})
    referrals = read(one, "referrals")
    assert all(row["referral_id"].split("-")[0] == row["child_id"].split("-")[0] for row in referrals)


def test_parquet_holds_the_same_rows_in_the_same_order(tmp_path: Path) -> None:
    import duckdb

    generate_extract.main(["--out", str(tmp_path / "csv"), "--scale", "0.1", "--seed", "8"])
    generate_extract.main(["--out", str(tmp_path / "pq"), "--scale", "0.1", "--seed", "8", "--format", "parquet"])
    assert not list((tmp_path / "pq").glob("*.csv"))
    with duckdb.connect() as con:
        for name in FILES:
            from_parquet = con.execute(f"select * from read_parquet('{tmp_path / 'pq' / name}.parquet')").fetchall()
            as_text = [tuple(value or None for value in row.values()) for row in read(tmp_path / "csv", name)]
            assert from_parquet == as_text, name
