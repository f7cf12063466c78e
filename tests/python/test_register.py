"""The release register: a second release of the same children with other age groups is made safe together
with the first (checked by an independent integer attack), registered files are never rewritten, and a
release from other data is refused rather than assumed."""

from __future__ import annotations

import csv
import json
import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from independent_joint_attack import narrower_than_allowed
from register_reads import child_years, published_cells, recorded

from conftest import PROJECT_DIR, dbt_build, isolated_register, query
from foi_exploitation.cells import Cell, DisclosureRules
from foi_exploitation.joint import JointDisclosureError, ReleaseView, age_bands, atom_counts, protect_jointly
from foi_exploitation.release.data import ExportError
from foi_exploitation.release.export import export
from foi_exploitation.suppression import suppress

SECOND = '{age_group_starts: [0, 10, 14, 16], foi_reference: "FOI 6001", release_register_dir: "%s"}'


@pytest.fixture(scope="module")
def two_releases(default_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The default release registered, then a second request's (Under 10, 10-13, 14-15, 16-17) built and
    exported against the register."""
    work = tmp_path_factory.mktemp("register")
    register = work / "register"
    export(default_db, work / "first", PROJECT_DIR, **isolated_register(register))
    second_db = work / "second" / "foi.duckdb"
    second_db.parent.mkdir()
    result = dbt_build(second_db, None, "--vars", SECOND % register)
    assert result.returncode == 0, result.stdout[-4000:]
    export(second_db, work / "second_release", PROJECT_DIR, **isolated_register(register))
    return {"register": register, "second_db": second_db, "work": work}


def test_two_releases_are_registered_and_safe_together(two_releases: dict[str, Path]) -> None:
    register, second_db = two_releases["register"], two_releases["second_db"]
    assert sorted(p.name for p in register.iterdir()) == ["FOI_5706_2026-01-31", "FOI_6001_2026-01-31"]
    assert sorted(p.name for p in (register / "FOI_6001_2026-01-31").iterdir()) == [
        "cells.csv",
        "checksums.txt",
        "release.json",
    ]
    first, second = (register / "FOI_5706_2026-01-31"), (register / "FOI_6001_2026-01-31")
    meta = json.loads((second / "release.json").read_text(encoding="utf-8"))
    assert meta["age_group_starts"] == [0, 10, 14, 16] and meta["checked_against"] == [
        "FOI 5706 (extract of 2026-01-31)"
    ]
    assert meta["breakdowns"]["Q6"]["10-13"] == [10, 13]
    assert "children" not in published_cells(second)[0]
    # The cover and the letter name the earlier release it was checked against.
    letter = next((two_releases["work"] / "second_release").glob("*_response_letter.md")).read_text(encoding="utf-8")
    assert "figures we published earlier from the same records (FOI 5706 (extract of 2026-01-31))" in letter.replace(
        "\n", " "
    )
    # Its files are named for its own request (release_file_stem empty: from the FOI reference).
    assert (two_releases["work"] / "second_release" / "foi_6001_child_exploitation.xlsx").is_file()
    metadata = next((two_releases["work"] / "second_release").glob("*_metadata.csv")).read_text(encoding="utf-8")
    assert "FOI 6001" in metadata
    releases = [
        (published_cells(first), [0, 10, 13, 16], 1, "later"),
        (published_cells(second), [0, 10, 14, 16], 1, "later"),
    ]
    assert narrower_than_allowed(releases, child_years(second_db), recorded(second_db)) == []


def test_the_second_release_alone_would_have_let_children_be_worked_out(
    two_releases: dict[str, Path], tmp_path: Path
) -> None:
    """The same request built without the register: safe alone, not with the first (the attack has teeth)."""
    alone_db = tmp_path / "foi.duckdb"
    result = dbt_build(alone_db, None, "--vars", SECOND % (tmp_path / "empty_register"))
    assert result.returncode == 0, result.stdout[-4000:]
    cells = [
        dict(zip(("question", "financial_year", "category", "breakdown", "published"), row, strict=True))
        for row in query(
            alone_db, "select question, financial_year, category, breakdown, published from marts.foi_release"
        )
    ]
    first = published_cells(two_releases["register"] / "FOI_5706_2026-01-31")
    problems = narrower_than_allowed(
        [(first, [0, 10, 13, 16], 1, "later"), (cells, [0, 10, 14, 16], 1, "later")],
        child_years(alone_db),
        recorded(alone_db),
    )
    assert any(p.startswith("2019/20") and "['cse'] aged 13-13" in p for p in problems), problems
    # Exported against the register it was not built with: stopped in one line, nothing written, the
    # registered files untouched.
    before = {p: p.read_bytes() for p in two_releases["register"].rglob("*") if p.is_file()}
    with pytest.raises(ExportError, match=r"with the registered releases, .* can be narrowed") as stopped:
        export(alone_db, tmp_path / "out", PROJECT_DIR, **isolated_register(two_releases["register"]))
    assert "\n" not in str(stopped.value) and not (tmp_path / "out").exists()
    assert {p: p.read_bytes() for p in two_releases["register"].rglob("*") if p.is_file()} == before
    withheld_alone = sum(c["published"] == "[c]" for c in cells)
    second = published_cells(two_releases["register"] / "FOI_6001_2026-01-31")
    assert sum(c["published"] == "[c]" for c in second) > withheld_alone


def test_a_changed_registered_file_is_refused(two_releases: dict[str, Path], tmp_path: Path) -> None:
    register = tmp_path / "register"
    shutil.copytree(two_releases["register"], register)
    cells = register / "FOI_5706_2026-01-31" / "cells.csv"
    cells.write_text(cells.read_text(encoding="utf-8").replace(",38\n", ",39\n", 1), encoding="utf-8")
    with pytest.raises(ExportError, match=r"cells\.csv was changed after it was registered"):
        export(two_releases["second_db"], tmp_path / "out", PROJECT_DIR, **isolated_register(register))
    assert not (tmp_path / "out").exists()


def test_a_registered_release_is_never_rewritten(
    default_db: Path, two_releases: dict[str, Path], tmp_path: Path
) -> None:
    register = two_releases["register"]
    before = {p: p.read_bytes() for p in register.rglob("*") if p.is_file()}
    export(
        default_db, tmp_path / "again", PROJECT_DIR, **isolated_register(register)
    )  # the same release: nothing to do
    assert {p: p.read_bytes() for p in register.rglob("*") if p.is_file()} == before
    other = tmp_path / "register"
    shutil.copytree(register, other)
    # The same FOI reference and extract date with other figures: refused, nothing written.
    entry = other / "FOI_5706_2026-01-31"
    release_json = entry / "release.json"
    release_json.write_text(release_json.read_text(encoding="utf-8").replace("2026-02-20", "2026-02-21"), "utf-8")
    # Edited by hand: refused as changed.
    with pytest.raises(ExportError, match=r"release\.json was changed after it was registered"):
        export(default_db, tmp_path / "out", PROJECT_DIR, **isolated_register(other))
    # A whole, consistent entry with other settings under the same id: refused as a rewrite.
    from foi_exploitation.register import checksums_text

    files = {n: (entry / n).read_text(encoding="utf-8") for n in ("release.json", "cells.csv")}
    (entry / "checksums.txt").write_text(checksums_text(files), encoding="utf-8")
    with pytest.raises(ExportError, match="already registers this FOI reference and extract date"):
        export(default_db, tmp_path / "out", PROJECT_DIR, **isolated_register(other))
    assert not (tmp_path / "out").exists()


def test_a_release_of_other_data_is_refused_not_assumed(two_releases: dict[str, Path], tmp_path: Path) -> None:
    """A registered release whose published counts this extract does not give (a revision) stops the export."""
    register = tmp_path / "register"
    shutil.copytree(two_releases["register"] / "FOI_5706_2026-01-31", register / "FOI_5000_2025-01-31")
    entry = register / "FOI_5000_2025-01-31"
    text = (entry / "cells.csv").read_text(encoding="utf-8").replace("Q1,2019/20,CSE,All,38", "Q1,2019/20,CSE,All,37")
    (entry / "cells.csv").write_text(text, encoding="utf-8")
    meta = json.loads((entry / "release.json").read_text(encoding="utf-8"))
    from foi_exploitation.register import checksums_text, sha256

    meta["cells_sha256"] = sha256(text)
    (entry / "release.json").write_text(json.dumps(meta), encoding="utf-8")
    # A well-formed entry of other data (its checksums agree), not a damaged one.
    files = {n: (entry / n).read_text(encoding="utf-8") for n in ("release.json", "cells.csv")}
    (entry / "checksums.txt").write_text(checksums_text(files), encoding="utf-8")
    with pytest.raises(ExportError, match="made from other data"):
        export(two_releases["second_db"], tmp_path / "out", PROJECT_DIR, **isolated_register(register))


def test_a_release_made_before_the_register_can_be_imported(two_releases: dict[str, Path], tmp_path: Path) -> None:
    from foi_exploitation.register import main, read_register

    all_cells = next((two_releases["work"] / "second_release").glob("*_all_cells.csv"))
    args = [str(all_cells), "--register", str(tmp_path / "reg"), "--foi-reference", "FOI 4000"]
    args += ["--extract-date", "2026-01-31", "--released-on", "2026-02-01", "--age-group-starts", "0,10,14,16"]
    assert main([*args, "--first-financial-year", "2019", "--last-financial-year", "2025"]) == 0
    (entry,) = read_register(tmp_path / "reg")
    assert entry.release_id == "FOI_4000_2026-01-31" and entry.view().age_group_starts == (0, 10, 14, 16)
    with open(all_cells, encoding="utf-8", newline="") as handle:
        published = {
            (r["question"], r["financial_year"], r["category"], r["breakdown"]): r["published"]
            for r in csv.DictReader(handle)
        }
    assert {c.key: c.published for c in entry.cells} == published
    broken = tmp_path / "broken.csv"
    broken.write_text(all_cells.read_text(encoding="utf-8").replace(",[c]\n", ",c\n", 1), encoding="utf-8")
    assert main([str(broken), *args[1:], "--first-financial-year", "2019", "--last-financial-year", "2025"]) == 1


# ---- generated pairs of releases -------------------------------------------------------------------


def release_cells(counts: dict, year: str, starts: tuple[int, ...]) -> list[Cell]:
    def total(states: set[str], sex: str | None = None, ages: tuple | None = None) -> int:
        return sum(
            n
            for (_, (state, _), s, age), n in counts.items()
            if state in states and (sex is None or s == sex) and (ages is None or age in ages)
        )

    of = {
        "CCE": {"CCE only", "Both"},
        "CSE": {"CSE only", "Both"},
        "Both": {"Both"},
        "Total": {"CCE only", "CSE only", "Both"},
    }
    cells = [Cell("Q1", year, c, "All", total(of[c])) for c in ("CCE", "CSE", "Both", "Total")]
    cells += [
        Cell("Q5", year, c, s, total(of[c], sex=s))
        for c in ("CCE", "CSE", "Both")
        for s in ("Male", "Female", "Not known")
    ]
    bands = age_bands(list(starts))
    cells += [
        Cell("Q6", year, c, label, total(of[c], ages=(None,) if ages is None else ages))
        for c in ("CCE", "CSE", "Both")
        for label, ages in bands.items()
    ]
    return cells


def published(cells: list[Cell], withheld: set) -> list[Cell]:
    return [replace(c, published="[c]" if c.key in withheld else str(c.children)) for c in cells]


STARTS = st.sampled_from([(0, 10, 13, 16), (0, 10, 14, 16), (0, 12, 15), (0, 11, 14, 16)])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), first=STARTS, second=STARTS, children=st.integers(20, 70))
def test_generated_pairs_of_releases_are_safe_together(seed: int, first: tuple, second: tuple, children: int) -> None:
    rng, year, rules = random.Random(seed), "2023/24", DisclosureRules()
    rows = [
        (
            f"C{i}",
            year,
            rng.choice(["Male", "Female", "Not known"]),
            *rng.choice([(True, False), (False, True), (True, True)]),
            rng.choice([*range(8, 18), None]),
        )
        for i in range(children)
    ]
    counts = atom_counts([row[1:] for row in rows], {year: True})
    cells_a, cells_b = release_cells(counts, year, first), release_cells(counts, year, second)
    a = published(cells_a, set(suppress(cells_a, rules).withheld))
    view_a = ReleaseView("A", tuple(a), first, rules)
    new = ReleaseView("B", tuple(cells_b), second, rules, is_new=True)
    try:
        withheld_b = protect_jointly(
            cells_b, set(suppress(cells_b, rules).withheld), [view_a], new, counts, {year: True}
        )
        stopped = False
    except JointDisclosureError:
        # The build stops: then no pattern of B can be safe with A, not even withholding every non-zero count.
        withheld_b, stopped = {c.key for c in cells_b if (c.children or 0) > 0}, True
    b = published(cells_b, withheld_b)
    as_dicts = [
        (
            [
                {
                    "question": c.question,
                    "financial_year": c.financial_year,
                    "category": c.category,
                    "breakdown": c.breakdown,
                    "published": c.published,
                }
                for c in cells
            ],
            list(starts),
            1,
            "later",
        )
        for cells, starts in ((a, first), (b, second))
    ]
    problems = narrower_than_allowed(as_dicts, rows, {year: True})
    assert (problems != []) if stopped else (problems == []), problems


def test_the_same_extract_date_with_other_kept_states_is_a_revision(
    two_releases: dict[str, Path], tmp_path: Path
) -> None:
    """A re-pulled extract under the same date: its kept per-child states tell, not the date."""
    from foi_exploitation.register import joint_inputs, read_register

    register = two_releases["register"]
    private = tmp_path / "private"
    shutil.copytree(isolated_register(register)["private"], private)
    db = two_releases["second_db"]
    rows = query(
        db,
        "select child_id, financial_year, sex, is_cse, is_cce, age_years "
        "from intermediate.int_children_identified_by_year where is_cse or is_cce",
    )
    entries = [e for e in read_register(register) if e.release_id == "FOI_5706_2026-01-31"]
    views, _ = joint_inputs(entries, rows, recorded(db), "2026-01-31", private)
    assert [v.snapshot for v in views] == ["later"]
    kept = private / "FOI_5706_2026-01-31.csv"
    lines = kept.read_text(encoding="utf-8").splitlines()
    lines[1] = ",".join([*lines[1].split(",")[:-1], "17" if lines[1].split(",")[-1] != "17" else "16"])
    kept.write_text("\n".join(lines) + "\n", encoding="utf-8")
    views, counts = joint_inputs(entries, rows, recorded(db), "2026-01-31", private)
    assert [v.snapshot for v in views] == ["earlier"]
    assert any(presence == "earlier" for (_, (_, presence), _, _) in counts)


def test_a_q3_count_withheld_in_an_earlier_release_stays_withheld(default_db: Path) -> None:
    from foi_exploitation.joint import audit_jointly

    rules = DisclosureRules()
    earlier = ReleaseView("A", (Cell("Q3", "2023/24", "Gang", "All", None, "[c]"),), (0, 10, 13, 16), rules)
    mine = [Cell("Q3", "2023/24", "Gang", "All", 4)]
    new = ReleaseView("B", tuple(published(mine, set())), (0, 10, 13, 16), rules, is_new=True)
    assert not audit_jointly([earlier, new], {}, {}).passed
    assert protect_jointly(mine, set(), [earlier], new, {}, {}) == {mine[0].key}
