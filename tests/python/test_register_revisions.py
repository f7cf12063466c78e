"""A provisional figure revised: a release from an earlier extract, then today's, registered together;
the children added or removed since cannot be worked out from the two (an independent integer attack).
Apart from test_register.py so that the two heaviest register tests run on different workers."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from independent_joint_attack import narrower_than_allowed
from register_reads import child_years, published_cells, recorded

from conftest import PROJECT_DIR, dbt_build, isolated_register
from foi_exploitation.release.export import export

# ---- a provisional figure, revised -----------------------------------------------------------------

CUT = "2025-01-31"


def earlier_snapshot(folder: Path) -> Path:
    """The default extract as it stood on 2025-01-31: later referrals, assessments and flags not yet made,
    assessments authorised after it still open, ends after it not yet known."""
    folder.mkdir(parents=True)

    def rows(name: str) -> tuple[list[str], list[dict]]:
        with open(PROJECT_DIR / "data" / "extract" / name, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)

    def write(name: str, header: list[str], kept: list[dict]) -> None:
        with open(folder / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(kept)

    def after(value: str | None) -> bool:
        return bool(value) and len(value.strip()) == 10 and value.strip() > CUT

    header, children = rows("children.csv")
    write("children.csv", header, children)

    def as_at_the_cut(rows: list[dict], started: str, ended: str) -> list[dict]:
        """The rows started by the cut, with an end after it not yet known."""
        return [r | {ended: "" if after(r[ended]) else r[ended]} for r in rows if not after(r[started])]

    header, referrals = rows("referrals.csv")
    write("referrals.csv", header, as_at_the_cut(referrals, "referral_date", "closure_date"))
    header, assessments = rows("assessments.csv")
    assessments = as_at_the_cut(assessments, "start_date", "authorised_date")
    write("assessments.csv", header, assessments)
    kept = {a["assessment_id"] for a in assessments}
    header, factors = rows("assessment_factors.csv")
    ids = {a["assessment_id"].strip().upper() for a in rows("assessments.csv")[1]}
    kept_ids = {i.strip().upper() for i in kept}

    # A factor of an assessment not yet started goes; an orphan row (no such assessment ever) stays one.
    def stays(factor: dict) -> bool:
        assessment_id = factor["assessment_id"].strip().upper()
        return assessment_id in kept_ids or assessment_id not in ids

    write("assessment_factors.csv", header, [f for f in factors if stays(f)])
    header, flags = rows("exploitation_flags.csv")
    write("exploitation_flags.csv", header, as_at_the_cut(flags, "start_date", "end_date"))
    return folder


def test_a_revised_provisional_figure_is_safe_with_the_release_it_revises(tmp_path: Path) -> None:
    """FOI 5000 from the 2025-01-31 extract (2024/25 provisional), then today's release: the children
    added or removed since the provisional figure cannot be worked out from the two."""
    reg = tmp_path / "register"
    places = isolated_register(reg)
    early_db = tmp_path / "early" / "foi.duckdb"
    early_db.parent.mkdir()
    early_vars = (
        f'{{extract_date: "{CUT}", last_financial_year: 2024, foi_reference: "FOI 5000", '
        f'release_register_dir: "{reg}", release_private_dir: "{places["private"]}"}}'
    )
    result = dbt_build(early_db, earlier_snapshot(tmp_path / "extract_2025"), "--vars", early_vars)
    assert result.returncode == 0, result.stdout[-4000:]
    os.environ["FOI_EXTRACT_DIR"] = str(tmp_path / "extract_2025")
    try:
        export(early_db, tmp_path / "early_release", PROJECT_DIR, **places)
    finally:
        os.environ.pop("FOI_EXTRACT_DIR")
    assert (places["private"] / "FOI_5000_2025-01-31.csv").is_file()
    late_db = tmp_path / "late" / "foi.duckdb"
    late_db.parent.mkdir()
    late_vars = f'{{release_register_dir: "{reg}", release_private_dir: "{places["private"]}"}}'
    result = dbt_build(late_db, None, "--vars", late_vars)
    assert result.returncode == 0, result.stdout[-4000:]
    export(late_db, tmp_path / "late_release", PROJECT_DIR, **places)
    late = json.loads((reg / "FOI_5706_2026-01-31" / "release.json").read_text(encoding="utf-8"))
    assert late["checked_against"] == ["FOI 5000 (extract of 2025-01-31)"]
    early_rows, late_rows = child_years(early_db), child_years(late_db)
    assert {r[0] for r in early_rows if r[1] == "2024/25"} != {r[0] for r in late_rows if r[1] == "2024/25"}
    releases = [
        (published_cells(reg / "FOI_5000_2025-01-31"), [0, 10, 13, 16], 1, "earlier"),
        (published_cells(reg / "FOI_5706_2026-01-31"), [0, 10, 13, 16], 1, "later"),
    ]
    years = {y: r for y, r in recorded(late_db).items() if y <= "2024/25"}
    assert narrower_than_allowed(releases, late_rows, years, earlier_child_years=early_rows) == []
