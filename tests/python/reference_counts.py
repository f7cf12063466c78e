"""An independent computation of the release counts, in plain Python, from the extract's CSV files.

It follows docs/extract-contract.md (which rows are usable) and docs/counting-rules.md
(what is counted) as written, and shares no SQL or code with the dbt project, so that agreement between
the two is evidence that both read the rules the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict
from pathlib import Path

VALID_FACTORS = {
    *(f"{n}{x}" for n in range(1, 7) for x in "ABC"),
    "7A",
    "8B",
    "8C",
    "8D",
    "8E",
    "8F",
    "9A",
    "10A",
    "11A",
    "12A",
    "13A",
    "14A",
    "15A",
    "16A",
    "17A",
    "18A",
    "18B",
    "18C",
    "19A",
    "19B",
    "19C",
    "20",
    "21",
    "22A",
    "23A",
    "24A",
}
FLAG_TYPES = {
    "CSE",
    "CCE",
    "MODERN_SLAVERY",
    "COUNTY_LINES",
    "GANG",
    "OCG",
    "MISSING_EXPLOITATION",
    "CONTEXTUAL_SAFEGUARDING",
    "RISK_LEVEL",
}
CATEGORIES = ["CCE", "CSE", "Both", "Total"]
SEXES = ["Male", "Female", "Not known"]
DEFAULT_AGE_BANDS = [(0, 9), (10, 12), (13, 15), (16, 17)]

Row = dict[str, str | None]


def read_csv(path: Path) -> list[Row]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            {k: (v.strip() or None) if v is not None else None for k, v in row.items()}
            for row in csv.DictReader(handle)
        ]


def to_date(text: str | None) -> dt.date | None:
    """The contract's YYYY-MM-DD only (Python 3.11 would also read 20230105 and other ISO forms)."""
    if not text or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def bad_date(text: str | None) -> bool:
    return text is not None and to_date(text) is None


def usable(
    rows: list[Row], key: tuple[str, ...], compare: tuple[str, ...], row_ok, key_conflicts: bool = True
) -> list[Row]:
    """Rows that pass their own checks, with identical repeats and (optionally) conflicting keys removed."""
    passing = [r for r in rows if row_ok(r)]
    first_copies: dict[tuple, Row] = {}
    for r in passing:
        first_copies.setdefault(tuple(r[c] for c in compare), r)
    versions = Counter(tuple(r[c] for c in key) for r in first_copies.values())
    return [r for r in first_copies.values() if not key_conflicts or versions[tuple(r[c] for c in key)] == 1]


def age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def fy_of(day: dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def sex_label(code: str | None) -> str:
    code = (code or "").upper()
    return "Male" if code in ("M", "1") else "Female" if code in ("F", "2") else "Not known"


def band_label(low: int, high: int) -> str:
    return f"Under {high + 1}" if low == 0 else str(low) if low == high else f"{low}-{high}"


def age_group(years: int | None, bands: list[tuple[int, int]]) -> str:
    if years is None:
        return "Not recorded"
    return next(band_label(low, high) for low, high in bands if low <= years <= high)


def compute(
    extract_dir: Path,
    extract_date: dt.date,
    first_fy: int,
    last_fy: int,
    cce_start: dt.date,
    q3_held: dict[str, bool],
    age_bands: list[tuple[int, int]] = DEFAULT_AGE_BANDS,
) -> dict[tuple[str, str, str, str], int | None]:
    """{(question, financial_year, category, breakdown): children or None} for Q1, Q3, Q5 and Q6."""
    children_raw = read_csv(extract_dir / "children.csv")
    for r in children_raw:
        r["sex"] = (r["sex"] or "").upper() or None
    children = usable(
        children_raw,
        ("child_id",),
        ("child_id", "date_of_birth", "sex"),
        lambda r: r["child_id"] is not None and not bad_date(r["date_of_birth"]),
    )
    child_by_id = {r["child_id"]: r for r in children}

    referrals = usable(
        read_csv(extract_dir / "referrals.csv"),
        ("referral_id",),
        ("referral_id", "child_id", "referral_date", "closure_date"),
        lambda r: (
            r["referral_id"]
            and r["child_id"]
            and to_date(r["referral_date"])
            and not bad_date(r["closure_date"])
            and to_date(r["referral_date"]) <= extract_date
        ),
    )
    child_of_referral = {r["referral_id"]: r["child_id"] for r in referrals if r["child_id"] in child_by_id}

    assessments = usable(
        read_csv(extract_dir / "assessments.csv"),
        ("assessment_id",),
        ("assessment_id", "referral_id", "start_date", "authorised_date"),
        lambda r: (
            r["assessment_id"]
            and r["referral_id"]
            and to_date(r["start_date"])
            and not bad_date(r["authorised_date"])
            and to_date(r["start_date"]) <= extract_date
        ),
    )
    assessment_child = {
        r["assessment_id"]: (child_of_referral[r["referral_id"]], to_date(r["authorised_date"]))
        for r in assessments
        if r["referral_id"] in child_of_referral
    }

    factor_rows = read_csv(extract_dir / "assessment_factors.csv")
    for r in factor_rows:
        r["factor_code"] = (r["factor_code"] or "").upper() or None
    factors = usable(
        factor_rows,
        ("assessment_id", "factor_code"),
        ("assessment_id", "factor_code"),
        lambda r: r["assessment_id"] and r["factor_code"] in VALID_FACTORS,
        key_conflicts=False,
    )
    codes_by_assessment: dict[str, set[str]] = defaultdict(set)
    for r in factors:
        if r["assessment_id"] in assessment_child:
            codes_by_assessment[r["assessment_id"]].add(r["factor_code"])

    # Per child and FY: categories, and the earliest CSE/CCE assessment's age (rules 2-7).
    first_day, last_day = dt.date(first_fy, 4, 1), dt.date(last_fy + 1, 3, 31)
    found: dict[tuple[str, int], dict] = {}
    for assessment_id, (child_id, authorised) in assessment_child.items():
        if authorised is None or authorised > extract_date or not first_day <= authorised <= last_day:
            continue
        codes = codes_by_assessment.get(assessment_id, set())
        cse, cce, gang = "11A" in codes, "24A" in codes, "13A" in codes
        if not (cse or cce or gang):
            continue
        dob = to_date(child_by_id[child_id]["date_of_birth"])
        years = age(dob, authorised) if dob and dob <= authorised else None
        if years is not None and years >= 18:
            continue
        entry = found.setdefault(
            (child_id, fy_of(authorised)), {"cse": False, "cce": False, "gang": False, "first": None}
        )
        entry["cse"] |= cse
        entry["cce"] |= cce
        entry["gang"] |= gang
        if (cse or cce) and (entry["first"] is None or (authorised, assessment_id) < entry["first"][:2]):
            entry["first"] = (authorised, assessment_id, years)

    counts: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
    for (child_id, fy), entry in found.items():
        in_category = {
            "CCE": entry["cce"],
            "CSE": entry["cse"],
            "Both": entry["cce"] and entry["cse"],
            "Total": entry["cce"] or entry["cse"],
        }
        sex = sex_label(child_by_id[child_id]["sex"])
        group = age_group(entry["first"][2], age_bands) if entry["first"] else None
        for category, is_in in in_category.items():
            if is_in:
                counts[("Q1", fy_label(fy), category, "All")].add(child_id)
            if is_in and category != "Total":  # Q5 and Q6 give CCE, CSE and Both only
                counts[("Q5", fy_label(fy), category, sex)].add(child_id)
                counts[("Q6", fy_label(fy), category, group)].add(child_id)
        if entry["gang"]:
            counts[("Q3", fy_label(fy), "Gang", "All")].add(child_id)

    # Rule 9: flags active in a FY, the child under 18 on the later of the flag's and the FY's start.
    flag_rows = read_csv(extract_dir / "exploitation_flags.csv")
    for r in flag_rows:
        r["flag_type"] = (r["flag_type"] or "").upper() or None
        r["risk_level"] = (r["risk_level"] or "").upper() or None
    flags = usable(
        flag_rows,
        ("child_id", "flag_type", "start_date"),
        ("child_id", "flag_type", "risk_level", "start_date", "end_date"),
        lambda r: (
            r["child_id"]
            and r["flag_type"] in FLAG_TYPES
            and ((r["flag_type"] == "RISK_LEVEL") == (r["risk_level"] is not None))
            and (r["flag_type"] != "RISK_LEVEL" or r["risk_level"] in ("LOW", "MEDIUM", "HIGH"))
            and to_date(r["start_date"])
            and not bad_date(r["end_date"])
            and not (to_date(r["end_date"]) and to_date(r["end_date"]) < to_date(r["start_date"]))
            and to_date(r["start_date"]) <= extract_date
        ),
        key_conflicts=False,
    )
    item_of_flag = {"GANG": "Gang", "COUNTY_LINES": "County lines", "OCG": "OCG"}
    for r in flags:
        if r["child_id"] not in child_by_id or r["flag_type"] not in item_of_flag:
            continue
        start, end = to_date(r["start_date"]), to_date(r["end_date"])
        dob = to_date(child_by_id[r["child_id"]]["date_of_birth"])
        for fy in range(first_fy, last_fy + 1):
            fy_start, fy_end = dt.date(fy, 4, 1), dt.date(fy + 1, 3, 31)
            if start <= fy_end and (end is None or end >= fy_start):
                reference = max(start, fy_start)
                if dob is None or dob > reference or age(dob, reference) < 18:
                    counts[("Q3", fy_label(fy), item_of_flag[r["flag_type"]], "All")].add(r["child_id"])

    cells: dict[tuple[str, str, str, str], int | None] = {}
    for fy in range(first_fy, last_fy + 1):
        label, cce_recorded = fy_label(fy), dt.date(fy, 4, 1) >= cce_start
        for question, breakdowns in (
            ("Q1", ["All"]),
            ("Q5", SEXES),
            ("Q6", [band_label(*b) for b in age_bands] + ["Not recorded"]),
        ):
            for category in CATEGORIES if question == "Q1" else CATEGORIES[:3]:
                for breakdown in breakdowns:
                    available = category == "CSE" or cce_recorded
                    cells[(question, label, category, breakdown)] = (
                        len(counts[(question, label, category, breakdown)]) if available else None
                    )
        for item, held in q3_held.items():
            cells[("Q3", label, item, "All")] = len(counts[("Q3", label, item, "All")]) if held else None
    return cells
