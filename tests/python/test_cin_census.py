"""The CIN census XML loader and writer."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import cin_census
import pytest

import generate_extract
from conftest import DEFAULT_EXTRACT, PROJECT_DIR, dbt_build, query

SAMPLES = PROJECT_DIR.parent / "shared" / "external" / "cin-census-samples"


def convert(*files: Path, out: Path) -> cin_census.Summary:
    summary = cin_census.Summary()
    extract = cin_census.read_census(list(files), summary, progress=False)
    cin_census.write_extract(extract, out)
    return summary


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.skipif(not SAMPLES.exists(), reason="shared/external/cin-census-samples is not beside the project")
@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.xml")) if SAMPLES.exists() else [])
def test_every_external_sample_loads_or_is_refused_clearly(sample: str, tmp_path: Path) -> None:
    try:
        summary = convert(SAMPLES / sample, out=tmp_path)
    except cin_census.CensusError as error:
        assert sample in str(error)
        return
    assert summary.read["children"] >= 1
    for name in cin_census.CONTRACT_COLUMNS:
        assert (tmp_path / f"{name}.csv").exists()


@pytest.mark.skipif(not SAMPLES.exists(), reason="shared/external/cin-census-samples is not beside the project")
def test_fake_cin_data_counts(tmp_path: Path) -> None:
    summary = convert(SAMPLES / "fake_CIN_data.xml", out=tmp_path)
    assert summary.read["children"] == 332
    assert summary.read["referrals"] == 402
    assert len(rows(tmp_path, "children")) == 332
    assert {r["sex"] for r in rows(tmp_path, "children")} <= {"1", "2", "0", "9"}


@pytest.mark.skipif(not SAMPLES.exists(), reason="shared/external/cin-census-samples is not beside the project")
def test_known_invalid_values_are_reported_not_loaded_silently(tmp_path: Path) -> None:
    summary = convert(SAMPLES / "CIN_Census_2024.xml", out=tmp_path / "2024")
    reported = {(i.element, i.value) for i in summary.issues}
    assert ("Sex", "1") in reported  # a GenderCurrent code in the 2024 Sex element
    assert ("UPNunknown", "PersonBirthDate") in reported  # stray text inside ChildIdentifiers
    summary = convert(SAMPLES / "CIN_Census_2026.xml", out=tmp_path / "2026")
    assert ("AssessmentFactors", "RB") in {(i.element, i.value) for i in summary.issues}
    # Reported, and still written for staging to exclude with its reason.
    assert "RB" in {r["factor_code"] for r in rows(tmp_path / "2026", "assessment_factors")}
    assert all(i.file == "CIN_Census_2026.xml" and i.line for i in summary.issues)


CENSUS = """<?xml version="1.0" encoding="utf-8"?>
<Message>
  <Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>
  <ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails></Header>
  <Children>{children}</Children>
</Message>
"""

CHILD = """<Child><ChildIdentifiers><LAchildID>{child}</LAchildID><PersonBirthDate>2009-05-01</PersonBirthDate>
<GenderCurrent>2</GenderCurrent></ChildIdentifiers>
<CINdetails><CINreferralDate>2023-06-01</CINreferralDate>
<Assessments><AssessmentActualStartDate>2023-06-02</AssessmentActualStartDate>{authorised}
<FactorsIdentifiedAtAssessment>{factors}</FactorsIdentifiedAtAssessment></Assessments>
<Section47><S47ActualStartDate>2023-06-02</S47ActualStartDate></Section47>
</CINdetails></Child>"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_same_child_and_referral_across_years_are_merged(tmp_path: Path) -> None:
    earlier = write(
        tmp_path / "2024.xml", CENSUS.format(year=2024, children=CHILD.format(child="C1", authorised="", factors=""))
    )
    later = write(
        tmp_path / "2025.xml",
        CENSUS.format(
            year=2025,
            children=CHILD.format(
                child="C1",
                authorised="<AssessmentAuthorisationDate>2023-07-01</AssessmentAuthorisationDate>",
                factors="<AssessmentFactors>11A</AssessmentFactors><AssessmentFactors>18A</AssessmentFactors>",
            ),
        ),
    )
    for order in ([earlier, later], [later, earlier]):
        out = tmp_path / f"out_{order[0].stem}"
        summary = convert(*order, out=out)
        assert summary.merged["children"] == 1 and summary.merged["referrals"] == 1
        assert len(rows(out, "children")) == 1
        assert len(rows(out, "referrals")) == 1
        (assessment,) = rows(out, "assessments")
        assert assessment["authorised_date"] == "2023-07-01"  # the newer census wins
        assert sorted(r["factor_code"] for r in rows(out, "assessment_factors")) == ["11A", "18A"]


def test_bad_values_reported_with_file_line_element_value(tmp_path: Path) -> None:
    children = (
        CHILD.format(
            child="C1",
            authorised="<AssessmentAuthorisationDate>2023-13-45</AssessmentAuthorisationDate>",
            factors="<AssessmentFactors>11a </AssessmentFactors><AssessmentFactors>ZZ</AssessmentFactors>",
        )
        + CHILD.format(child="", authorised="", factors="")
        + CHILD.format(child="C3", authorised="", factors="").replace(
            "<GenderCurrent>2</GenderCurrent>", "<GenderCurrent>7</GenderCurrent>"
        )
        + "<Child><ChildIdentifiers><LAchildID>C4</LAchildID><Sex>F</Sex></ChildIdentifiers>"
        "<CINdetails><CINclosureDate>2023-01-01</CINclosureDate></CINdetails></Child>"
    )
    summary = convert(write(tmp_path / "bad.xml", CENSUS.format(year=2024, children=children)), out=tmp_path / "out")
    found = {(i.element, i.value, i.problem.split(":")[0]) for i in summary.issues}
    assert ("AssessmentAuthorisationDate", "2023-13-45", "not a real date") in found
    assert ("AssessmentFactors", "ZZ", "not a CIN census factor code") in found
    assert ("GenderCurrent", "7", "not 1, 2, 0 or 9") in found
    assert ("LAchildID", "", "missing") in found
    assert ("CINreferralDate", "", "missing") in found
    assert all(i.file == "bad.xml" and i.line for i in summary.issues)
    assert summary.left_out["children"] == 1 and summary.left_out["referrals"] == 2
    assert summary.read["children"] == 4 and summary.read["factors"] == 2
    # "11a " is a valid code written as it was: staging trims and upper-cases it.
    assert {r["factor_code"] for r in rows(tmp_path / "out", "assessment_factors")} == {"11a ", "ZZ"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n not xml at all", "not readable as XML"),
        (
            CENSUS.format(year=2024, children=CHILD.format(child="C1", authorised="", factors=""))[:400].encode(),
            "not readable as XML",
        ),
        (b"<Report><Header/></Report>", "not <Message>"),
        (
            b"<Message><Header><CollectionDetails><Year>2024</Year></CollectionDetails></Header><Children/></Message>",
            "no valid <ReferenceDate>",
        ),
    ],
)
def test_unreadable_files_stop_with_one_message(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(content)
    with pytest.raises(cin_census.CensusError) as error:
        convert(path, out=tmp_path / "out")
    assert "broken.xml" in str(error.value) and message in str(error.value)
    result = subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "scripts" / "cin_census.py"),
            "to-extract",
            str(path),
            "--out",
            str(tmp_path / "cli"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "broken.xml" in result.stderr


def canonical(folder: Path) -> dict[str, list[tuple]]:
    """The extract's rows with the identifiers replaced by what the census identifies them by."""
    referrals = {r["referral_id"]: (r["child_id"], r["referral_date"]) for r in rows(folder, "referrals")}
    assessments = {
        a["assessment_id"]: (*referrals[a["referral_id"]], a["start_date"]) for a in rows(folder, "assessments")
    }
    return {
        "children": sorted((c["child_id"], c["date_of_birth"], c["sex"]) for c in rows(folder, "children")),
        "referrals": sorted((*referrals[r["referral_id"]], r["closure_date"]) for r in rows(folder, "referrals")),
        "assessments": sorted(
            (*assessments[a["assessment_id"]], a["authorised_date"]) for a in rows(folder, "assessments")
        ),
        "assessment_factors": sorted(
            (*assessments[f["assessment_id"]], f["factor_code"]) for f in rows(folder, "assessment_factors")
        ),
    }


def test_round_trip_extract_to_xml_to_extract(tmp_path: Path) -> None:
    original = tmp_path / "extract"
    generate_extract.main(["--out", str(original), "--clean", "--scale", "0.3", "--seed", "77"])
    census = tmp_path / "census.xml"
    written = cin_census.write_census(original, census, "2026-03-31")
    assert not any(k.endswith("not written") or "not written" in k for k, v in written.items() if v)
    back = tmp_path / "back"
    summary = convert(census, out=back)
    assert summary.issues == []
    assert canonical(back) == canonical(original)


def test_a_large_census_is_split_between_children_never_inside_a_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = tmp_path / "extract"
    generate_extract.main(["--out", str(original), "--clean", "--scale", "0.3", "--seed", "77"])
    census = tmp_path / "census.xml"
    cin_census.write_census(original, census, "2026-03-31")
    text = census.read_bytes()
    # A comment across the middle of the file holding what looks like the end of one child and the next.
    at = text.index(b"</Child>", len(text) // 2) + len(b"</Child>")
    comment = b"<!-- " + b"</Child><Child>" * (len(text) // 75) + b" -->"
    commented = tmp_path / "commented.xml"
    commented.write_bytes(text[:at] + comment + text[at:])
    monkeypatch.setattr(cin_census, "SPLIT_BYTES", 1024)  # read in two halves, as a large file is
    cut = cin_census.split_point(commented)
    assert cut is not None and cut[0] > at + len(comment)
    back = tmp_path / "back"
    summary = convert(commented, out=back)
    assert summary.issues == []
    assert canonical(back) == canonical(original)


def test_converted_census_gives_the_same_release(default_db: Path, tmp_path: Path) -> None:
    """The default extract (mess included) -> census XML -> extract -> dbt build: the same foi_release.
    The census has no exploitation flags, so the extract's flags file goes beside the converted one."""
    census = tmp_path / "census.xml"
    cin_census.write_census(PROJECT_DIR / "data" / "extract", census, "2026-03-31")
    converted = tmp_path / "converted"
    convert(census, out=converted)
    shutil.copy(PROJECT_DIR / "data" / "extract" / "exploitation_flags.csv", converted)
    db_path = tmp_path / "foi.duckdb"
    result = dbt_build(db_path, converted)
    assert result.returncode == 0, result.stdout[-4000:]
    sql = "select question, financial_year, category, breakdown, children, published from marts.foi_release order by sort_order"
    assert query(db_path, sql) == query(default_db, sql)


def write_repeated_census(census: Path, copies: int) -> None:
    """One census file holding the default extract's children `copies` times over, each copy under its own
    identifiers (K00-C100001, K01-C100001, ...): as many distinct children as a large council's return, written
    in seconds rather than generated and converted."""
    one = census.with_name("one.xml")
    cin_census.write_census(DEFAULT_EXTRACT, one, "2026-03-31")
    text = one.read_text(encoding="utf-8")
    head, rest = text.split("<Children>", 1)
    children, tail = rest.rsplit("</Children>", 1)
    with open(census, "w", encoding="utf-8") as out:
        out.write(head + "<Children>")
        for copy in range(copies):
            out.write(children.replace("<LAchildID>", f"<LAchildID>K{copy:02d}-"))
        out.write("</Children>" + tail)


def test_large_census_memory(tmp_path: Path) -> None:
    """200,000 children convert in under 1 GB peak, measured in a child process (peak = the process's own
    plus its largest worker's, an upper bound on what they held at once). The rate is printed, never
    asserted: a wall-clock rate on a shared 2-core machine depends on whatever else runs."""
    census = tmp_path / "big.xml"
    write_repeated_census(census, copies=14)
    # VmHWM, not ru_maxrss: ru_maxrss keeps the forking test process's size across exec.
    code = (
        "import re, resource, sys, time; sys.path.insert(0, sys.argv[1]); import cin_census; "
        "from pathlib import Path; s = cin_census.Summary(); t = time.perf_counter(); "
        "e = cin_census.read_census([Path(sys.argv[2])], s, progress=False); "
        "cin_census.write_extract(e, Path(sys.argv[3])); seconds = time.perf_counter() - t; "
        "own = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)); "
        "workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
        "print(s.read['children'], seconds, own + workers, own, workers)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(PROJECT_DIR / "scripts"), str(census), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=True,
    )
    children, seconds, peak_kb, own_kb, workers_kb = result.stdout.split()
    assert int(children) >= 200_000
    print(
        f"{children} children in {float(seconds):.1f} s ({int(children) / float(seconds):,.0f} a second), peak "
        f"{int(peak_kb) / 1024:.0f} MB (own {int(own_kb) // 1024} MB + largest worker {int(workers_kb) // 1024} MB)"
    )
    assert int(peak_kb) < 1024 * 1024, peak_kb
