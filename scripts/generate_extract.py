"""Write a synthetic case-management extract that follows docs/extract-contract.md.

The default is one mid-sized metropolitan council, calibrated to the public DfE children in need
figures for such a council: about 2,700-3,200 referrals a year, the factor mix of real assessments,
CSE (11A), CCE (24A, only from the configured recording start) and gang (13A) factors at the council's
yearly levels, children who recur across years, and exploitation flags. It carries the mess of real
extracts at the low rates in MESS_RATES. The same seed always gives byte-identical files.

    python scripts/generate_extract.py                        # the committed default: seeds/extract
    python scripts/generate_extract.py --scale 4 --out /tmp/big
    python scripts/generate_extract.py --councils 20 --out /tmp/region   # council_01 ... council_20
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PROJECT_DIR / "seeds" / "extract"
DEFAULT_SEED = 5706
FIRST_DAY = dt.date(2019, 4, 1)

# Referrals a year for the calibration council (DfE, years ending 31 March 2020-2025), then +2 %.
REFERRALS_BY_FY_START = {2019: 2739, 2020: 2722, 2021: 2808, 2022: 3042, 2023: 3114, 2024: 3241}
REFERRAL_GROWTH_AFTER = 1.02

# Children newly identified each FY (before part-year scaling): CSE, CCE (from the recording start), gang.
# Chosen so that assessments with 11A, 24A and 13A match the council's 42-60, 56-94 and 15-36 episodes.
CSE_CHILDREN_RANGE = (38, 48)
CCE_CHILDREN_BY_FY_START = {2022: (40, 48), 2023: (58, 68), 2024: (54, 64)}
CCE_CHILDREN_LATER = (56, 66)
GANG_CHILDREN_RANGE = (10, 20)
BOTH_SHARE_OF_CCE = 0.12
RECUR_SHARE = 0.3

# Stated rates of the mess of real extracts (share of the rows of the file named).
MESS_RATES: dict[str, float] = {
    "children_missing_dob": 0.010,
    "children_legacy_sex_code": 0.300,
    "children_messy_sex_code": 0.010,
    "children_invalid_sex_code": 0.002,
    "referrals_orphan_child": 0.002,
    "referrals_future_dated": 0.002,
    "assessments_incomplete": 0.020,
    "assessments_orphan_referral": 0.002,
    "assessments_authorised_after_extract": 0.002,
    "factors_messy_code": 0.010,
    "factors_invalid_code": 0.003,
    "factors_orphan_assessment": 0.002,
    "exact_duplicate_rows": 0.005,
}

# Non-exploitation factors, weighted by England's episodes (DfE, year ending 31 March 2025, rounded).
COMMON_FACTORS: dict[str, int] = {
    "3B": 160,
    "4B": 150,
    "10A": 5,
    "23A": 98,
    "22A": 90,
    "2B": 85,
    "1B": 65,
    "4A": 65,
    "3A": 58,
    "20": 40,
    "14A": 30,
    "3C": 26,
    "5A": 25,
    "15A": 24,
    "6A": 20,
    "6B": 12,
    "4C": 10,
    "7A": 10,
    "2A": 10,
    "1A": 5,
    "9A": 8,
    "5B": 6,
    "1C": 4,
    "2C": 4,
    "5C": 2,
    "6C": 2,
    "16A": 2,
    "17A": 1,
    "8B": 1,
    "8C": 1,
    "8D": 1,
    "8E": 1,
    "8F": 1,
}
# Abuse factors: the legacy codes before 2021/22, the split ones after (DfE changed them then).
ABUSE_FACTORS_LEGACY = {"19A": 65, "18A": 26}
ABUSE_FACTORS_SPLIT = {"19B": 55, "19C": 14, "18B": 18, "18C": 11}
# Factors that travel with exploitation.
EXPLOITATION_COFACTORS = {"10A": 40, "14A": 20, "2A": 18, "15A": 14, "4A": 14, "12A": 4, "3A": 10}
INVALID_FACTOR_CODES = ["RB", "25A", "11", "11B", "N/A"]


@dataclass
class Child:
    child_id: str
    date_of_birth: dt.date | None
    sex: str


@dataclass
class Extract:
    children: list[dict[str, str]] = field(default_factory=list)
    referrals: list[dict[str, str]] = field(default_factory=list)
    assessments: list[dict[str, str]] = field(default_factory=list)
    assessment_factors: list[dict[str, str]] = field(default_factory=list)
    exploitation_flags: list[dict[str, str]] = field(default_factory=list)


COLUMNS = {
    "children": ["child_id", "date_of_birth", "sex"],
    "referrals": ["referral_id", "child_id", "referral_date", "closure_date"],
    "assessments": ["assessment_id", "referral_id", "start_date", "authorised_date"],
    "assessment_factors": ["assessment_id", "factor_code"],
    "exploitation_flags": ["child_id", "flag_type", "risk_level", "start_date", "end_date"],
}


def read_project_vars() -> dict[str, object]:
    """The council's configuration, from dbt_project.yml, so the generator and the models agree."""
    with open(PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["vars"]


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Generator:
    """Builds one council's extract from one random stream, in a fixed order."""

    def __init__(self, seed: int, scale: float, extract_date: dt.date, cce_start: dt.date) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.extract_date = extract_date
        self.cce_start = cce_start
        self.children: list[Child] = []
        self.extract = Extract()
        self.flag_rows: list[dict[str, str]] = []
        self.exploited_last_year: list[tuple[Child, set[str]]] = []
        self.mess_rates = dict(MESS_RATES)

    # -- small helpers -------------------------------------------------------------------------------
    def day_between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def weighted_sample(self, weights: dict[str, int], count: int) -> list[str]:
        pool = dict(weights)
        chosen: list[str] = []
        for _ in range(min(count, len(pool))):
            code = self.rng.choices(list(pool), weights=list(pool.values()))[0]
            chosen.append(code)
            del pool[code]
        return chosen

    def new_child(self, on_day: dt.date, age_years: float, sex: str) -> Child:
        dob = on_day - dt.timedelta(days=int(age_years * 365.25) + self.rng.randint(0, 180))
        child = Child(f"C{len(self.children) + 100001:06d}", dob, sex)
        self.children.append(child)
        return child

    def random_sex(self, female_share: float) -> str:
        roll = self.rng.random()
        if roll < 0.015:
            return "U"
        return "F" if roll < 0.015 + female_share * 0.985 else "M"

    def age_on(self, child: Child, day: dt.date) -> int:
        dob = child.date_of_birth
        assert dob is not None
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    # -- referrals and assessments -------------------------------------------------------------------
    def add_referral(self, child: Child, referral_date: dt.date) -> str:
        referral_id = f"R{len(self.extract.referrals) + 2000001:07d}"
        closure = referral_date + dt.timedelta(days=self.rng.randint(20, 420))
        self.extract.referrals.append(
            {
                "referral_id": referral_id,
                "child_id": child.child_id,
                "referral_date": iso(referral_date),
                "closure_date": iso(closure) if closure <= self.extract_date else "",
            }
        )
        return referral_id

    def add_assessment(self, referral_id: str, referral_date: dt.date, factors: list[str]) -> str:
        assessment_id = f"A{len(self.extract.assessments) + 3000001:07d}"
        start = referral_date + dt.timedelta(days=self.rng.randint(0, 12))
        authorised: dt.date | None = start + dt.timedelta(days=self.rng.randint(4, 44))
        if authorised and authorised > self.extract_date:
            authorised = None  # still in progress when the extract was taken
        if self.rng.random() < self.mess_rates["assessments_incomplete"]:
            authorised = None
        self.extract.assessments.append(
            {
                "assessment_id": assessment_id,
                "referral_id": referral_id,
                "start_date": iso(min(start, self.extract_date)),
                "authorised_date": iso(authorised),
            }
        )
        if authorised:
            for code in factors:
                self.extract.assessment_factors.append({"assessment_id": assessment_id, "factor_code": code})
        return assessment_id

    def common_factors(self, referral_date: dt.date) -> list[str]:
        if self.rng.random() < 0.04:
            return ["21"]
        abuse = ABUSE_FACTORS_LEGACY if referral_date < dt.date(2021, 4, 1) else ABUSE_FACTORS_SPLIT
        count = self.rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5])
        return self.weighted_sample({**COMMON_FACTORS, **abuse}, count)

    def baseline_year(self, fy_start: dt.date, fy_last: dt.date, referrals: int) -> None:
        for _ in range(referrals):
            referral_date = self.day_between(fy_start, fy_last)
            child = self.pick_or_create_child(referral_date)
            referral_id = self.add_referral(child, referral_date)
            if self.rng.random() < 0.88:
                self.add_assessment(referral_id, referral_date, self.common_factors(referral_date))
                if self.rng.random() < 0.05:
                    later = referral_date + dt.timedelta(days=self.rng.randint(30, 120))
                    if later <= self.extract_date:
                        self.add_assessment(referral_id, later, self.common_factors(later))

    def pick_or_create_child(self, referral_date: dt.date) -> Child:
        if self.children and self.rng.random() < 0.28:
            for _ in range(5):
                child = self.rng.choice(self.children)
                if child.date_of_birth and 0 <= self.age_on(child, referral_date) < 18:
                    return child
        if self.rng.random() < 0.03:  # pre-birth referral: the date of birth is after the referral
            dob = referral_date + dt.timedelta(days=self.rng.randint(20, 150))
            child = Child(f"C{len(self.children) + 100001:06d}", dob, self.random_sex(0.49))
            self.children.append(child)
            return child
        age = self.rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 14, 14, 15, 15, 16, 16, 17])
        if self.rng.random() < 0.004:  # referred days before turning 18: assessed as an adult
            age = 17.97
        return self.new_child(referral_date, age, self.random_sex(0.49))

    # -- exploitation --------------------------------------------------------------------------------
    def exploitation_year(self, fy_start_year: int, fy_start: dt.date, fy_last: dt.date, part: float) -> None:
        def count(bounds: tuple[int, int]) -> int:
            return round(self.rng.randint(*bounds) * self.scale * part)

        cce_recorded = fy_start >= self.cce_start
        cce_bounds = CCE_CHILDREN_BY_FY_START.get(fy_start_year, CCE_CHILDREN_LATER)
        wanted = {
            "CSE": count(CSE_CHILDREN_RANGE),
            "CCE": count(cce_bounds) if cce_recorded else 0,
            "GANG": count(GANG_CHILDREN_RANGE),
        }
        both = round(wanted["CCE"] * BOTH_SHARE_OF_CCE)
        exploited: list[tuple[Child, set[str]]] = []
        # Some of last year's children are identified again this year.
        for child, kinds in self.exploited_last_year:
            if self.rng.random() < RECUR_SHARE and self.age_on(child, fy_last) < 18:
                kinds = {k for k in kinds if k != "CCE" or cce_recorded}
                kinds = {k for k in kinds if wanted[k] > 0}
                if kinds:
                    for kind in kinds:
                        wanted[kind] -= 1
                    exploited.append((child, kinds))
        for _ in range(max(0, both)):
            exploited.append((self.exploited_child(fy_start, 0.55), {"CSE", "CCE"}))
            wanted["CSE"] -= 1
            wanted["CCE"] -= 1
        for kind, female_share in (("CSE", 0.8), ("CCE", 0.22), ("GANG", 0.15)):
            for _ in range(max(0, wanted[kind])):
                kinds = {kind}
                if kind == "CCE" and self.rng.random() < 0.2:
                    kinds.add("GANG")
                exploited.append((self.exploited_child(fy_start, female_share), kinds))
        for child, kinds in exploited:
            self.exploitation_episodes(child, kinds, fy_start, fy_last)
        self.exploited_last_year = exploited

    def exploited_child(self, fy_start: dt.date, female_share: float) -> Child:
        age = self.rng.choices([8, 10, 11, 12, 13, 14, 15, 16, 17], weights=[2, 3, 5, 9, 16, 22, 22, 15, 6])[0]
        return self.new_child(fy_start, age, self.random_sex(female_share))

    def exploitation_episodes(self, child: Child, kinds: set[str], fy_start: dt.date, fy_last: dt.date) -> None:
        codes = {"CSE": "11A", "CCE": "24A", "GANG": "13A"}
        # Referral dates that let the assessment be authorised inside the same FY and before the extract.
        first_day = max(FIRST_DAY, fy_start - dt.timedelta(days=15))
        last_day = max(first_day, min(fy_last, self.extract_date) - dt.timedelta(days=56))
        split = len(kinds) > 1 and self.rng.random() < 0.5
        groups = [[k] for k in sorted(kinds)] if split else [sorted(kinds)]
        if self.rng.random() < 0.2:
            groups.append(sorted(kinds))  # a second assessment in the same year
        for group in groups:
            referral_date = self.day_between(first_day, last_day)
            referral_id = self.add_referral(child, referral_date)
            factors = [codes[k] for k in group]
            factors += self.weighted_sample(EXPLOITATION_COFACTORS, self.rng.randint(0, 2))
            assessment_id = self.add_assessment(referral_id, referral_date, factors)
            self.maybe_flags(child, group, referral_date, assessment_id)

    def maybe_flags(self, child: Child, kinds: list[str], day: dt.date, _assessment_id: str) -> None:
        def flag(flag_type: str, risk: str = "") -> None:
            start = day - dt.timedelta(days=self.rng.randint(0, 40))
            end = start + dt.timedelta(days=self.rng.randint(60, 540))
            self.flag_rows.append(
                {
                    "child_id": child.child_id,
                    "flag_type": flag_type,
                    "risk_level": risk,
                    "start_date": iso(start),
                    "end_date": iso(end) if end <= self.extract_date else "",
                }
            )

        for kind in kinds:
            if self.rng.random() < 0.85:
                flag(kind)
        # CCE and county lines flags were in use before factor 24A was recorded, so gang work carries them.
        if ("CCE" in kinds or "GANG" in kinds) and self.rng.random() < 0.3:
            flag("COUNTY_LINES")
        if "GANG" in kinds and "CCE" not in kinds and self.rng.random() < 0.3:
            flag("CCE")
        if "CCE" in kinds and "GANG" not in kinds and self.rng.random() < 0.3:
            flag("GANG")
        if self.rng.random() < 0.4:
            flag("MISSING_EXPLOITATION")
        if self.rng.random() < 0.8:
            flag("RISK_LEVEL", self.rng.choices(["LOW", "MEDIUM", "HIGH"], weights=[3, 5, 2])[0])

    # -- the whole extract ---------------------------------------------------------------------------
    def run(self) -> Extract:
        year = FIRST_DAY.year
        while dt.date(year, 4, 1) <= self.extract_date:
            fy_start, fy_end = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
            fy_last = min(fy_end, self.extract_date)
            part = ((fy_last - fy_start).days + 1) / ((fy_end - fy_start).days + 1)
            referrals = REFERRALS_BY_FY_START.get(year)
            if referrals is None:
                last = max(REFERRALS_BY_FY_START)
                referrals = round(REFERRALS_BY_FY_START[last] * REFERRAL_GROWTH_AFTER ** (year - last))
            referrals = round(referrals * self.rng.uniform(0.97, 1.03) * self.scale * part)
            before = len(self.extract.referrals)
            self.exploitation_year(year, fy_start, fy_last, part)
            self.baseline_year(fy_start, fy_last, max(0, referrals - (len(self.extract.referrals) - before)))
            year += 1
        self.extract.children = [self.child_row(child) for child in self.children]
        self.extract.exploitation_flags = self.flag_rows
        self.add_mess()
        return self.extract

    def child_row(self, child: Child) -> dict[str, str]:
        dob = child.date_of_birth
        if dob and dob <= self.extract_date and self.rng.random() < self.mess_rates["children_missing_dob"]:
            dob = None
        elif dob and dob > self.extract_date:
            dob = None  # unborn when the extract was taken
        sex = child.sex
        if self.rng.random() < self.mess_rates["children_legacy_sex_code"]:
            sex = {"M": "1", "F": "2", "U": self.rng.choice(["0", "9"])}[sex]
        roll = self.rng.random()
        if roll < self.mess_rates["children_messy_sex_code"]:
            sex = self.rng.choice([sex.lower(), f" {sex}", f"{sex} "])
        elif roll < self.mess_rates["children_messy_sex_code"] + self.mess_rates["children_invalid_sex_code"]:
            sex = self.rng.choice(["X", "Male", "?"])
        return {"child_id": child.child_id, "date_of_birth": iso(dob), "sex": sex}

    def add_mess(self) -> None:
        rng, extract = self.rng, self.extract
        for row in extract.referrals:
            roll = rng.random()
            if roll < self.mess_rates["referrals_orphan_child"]:
                row["child_id"] = f"C{rng.randint(900000, 999999)}"
            elif roll < self.mess_rates["referrals_orphan_child"] + self.mess_rates["referrals_future_dated"]:
                row["referral_date"] = iso(self.extract_date + dt.timedelta(days=rng.randint(1, 400)))
                row["closure_date"] = ""
        for row in extract.assessments:
            roll = rng.random()
            if roll < self.mess_rates["assessments_orphan_referral"]:
                row["referral_id"] = f"R{rng.randint(9000000, 9999999)}"
            elif (
                roll
                < self.mess_rates["assessments_orphan_referral"]
                + self.mess_rates["assessments_authorised_after_extract"]
            ):
                row["authorised_date"] = iso(self.extract_date + dt.timedelta(days=rng.randint(1, 60)))
        for row in extract.assessment_factors:
            roll = rng.random()
            if roll < self.mess_rates["factors_messy_code"]:
                code = row["factor_code"]
                row["factor_code"] = rng.choice([code.lower(), f" {code}", f"{code} ", f" {code.lower()} "])
            elif roll < self.mess_rates["factors_messy_code"] + self.mess_rates["factors_invalid_code"]:
                row["factor_code"] = rng.choice(INVALID_FACTOR_CODES)
            elif roll < sum(
                self.mess_rates[k] for k in ("factors_messy_code", "factors_invalid_code", "factors_orphan_assessment")
            ):
                row["assessment_id"] = f"A{rng.randint(9000000, 9999999)}"
        for name in COLUMNS:
            rows: list[dict[str, str]] = getattr(extract, name)
            with_repeats: list[dict[str, str]] = []
            for row in rows:
                with_repeats.append(row)
                if rng.random() < self.mess_rates["exact_duplicate_rows"]:
                    with_repeats.append(dict(row))
            setattr(extract, name, with_repeats)


def write_extract(extract: Extract, out_dir: Path) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for name, columns in COLUMNS.items():
        rows: list[dict[str, str]] = getattr(extract, name)
        with open(out_dir / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        written[name] = len(rows)
    return written


def generate(
    out_dir: Path, seed: int, scale: float, extract_date: dt.date, cce_start: dt.date, clean: bool = False
) -> dict[str, int]:
    generator = Generator(seed, scale, extract_date, cce_start)
    if clean:
        generator.mess_rates = {k: (v if k == "children_legacy_sex_code" else 0.0) for k, v in MESS_RATES.items()}
    extract = generator.run()
    return write_extract(extract, out_dir)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    config = read_project_vars()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write (default: seeds/extract)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--scale", type=float, default=1.0, help="council size against the default (default 1)")
    parser.add_argument("--councils", type=int, default=1, help="write this many councils, one sub-folder each")
    parser.add_argument("--clean", action="store_true", help="no mess: every row valid (legacy sex codes stay)")
    parser.add_argument(
        "--extract-date", type=dt.date.fromisoformat, default=dt.date.fromisoformat(str(config["extract_date"]))
    )
    parser.add_argument(
        "--cce-recording-start",
        type=dt.date.fromisoformat,
        default=dt.date.fromisoformat(str(config["cce_recording_start_date"])),
    )
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.councils < 1:
        parser.error("--scale must be above 0 and --councils at least 1")
    if args.extract_date < FIRST_DAY:
        parser.error(f"--extract-date must be on or after {FIRST_DAY}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for number in range(1, args.councils + 1):
        out_dir = args.out if args.councils == 1 else args.out / f"council_{number:02d}"
        seed = args.seed if args.councils == 1 else args.seed * 1000 + number
        written = generate(out_dir, seed, args.scale, args.extract_date, args.cce_recording_start, args.clean)
        counts = ", ".join(f"{name} {rows:,}" for name, rows in written.items())
        print(f"[{number}/{args.councils}] wrote {out_dir}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
