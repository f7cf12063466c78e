"""Convert Children in Need (CIN) census XML to the project's extract, and an extract back to XML.

    python scripts/cin_census.py to-extract census_2024.xml census_2025.xml --out /tmp/extract
    FOI_EXTRACT_DIR=/tmp/extract make release

    python scripts/cin_census.py from-extract data/extract --out /tmp/census.xml

Reading streams each file with lxml iterparse, so a census of any size fits in memory as the merged
extract only. It handles the 2019-20 to 2025-26 forms: `GenderCurrent` (1, 2, 0, 9) or `Sex` (M, F, U);
legacy factor codes 18A and 19A; an empty `FactorsIdentifiedAtAssessment`; blocks the request does not
need (Section47, child protection plans, pre-proceedings, ...) are skipped. `ReferenceDate` is the census
date. The census has no referral or assessment identifiers, so they are derived from what identifies
them: a referral is the child and its referral date (#2 for a second, different episode that day), an
assessment the referral and its start date (likewise).
A child in several years' files, and the same referral repeated across them, are merged: the newest
census (latest ReferenceDate) wins.

A value that breaks the extract contract is reported (file, line, element, value) and written as it
is, so that the staging models apply the contract's rules to it (exclude it with a reason, or repair
it); only what cannot be placed in the extract at all (a child without LAchildID, an episode without a
referral date, an assessment without a start date) is left out, and reported. Not XML, a truncated file
or a wrong root element stops with one message naming the file.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import multiprocessing
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

CONTRACT_COLUMNS = {
    "children": ["child_id", "date_of_birth", "sex"],
    "referrals": ["referral_id", "child_id", "referral_date", "closure_date"],
    "assessments": ["assessment_id", "referral_id", "start_date", "authorised_date"],
    "assessment_factors": ["assessment_id", "factor_code"],
}
# The CIN census factor codes: the same reference seed the staging models check against.
FACTOR_CODES_FILE = Path(__file__).resolve().parent.parent / "seeds" / "reference" / "cin_factor_codes.csv"
with open(FACTOR_CODES_FILE, encoding="utf-8", newline="") as _codes:
    VALID_FACTORS = frozenset(row["factor_code"] for row in csv.DictReader(_codes))
SEX_CODES = {"M", "F", "U"}
GENDER_CURRENT_CODES = {"1", "2", "0", "9"}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Factor codes as strings straight from the C library: no Python object per element.
FACTOR_TEXTS = etree.XPath("AssessmentFactors/text()", smart_strings=False)


class CensusError(Exception):
    """A file that cannot be read at all: one message naming it."""


@dataclass
class Issue:
    file: str
    line: int | None
    element: str
    value: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line or '?'}: <{self.element}> {self.value!r}: {self.problem}"


@dataclass
class Summary:
    read: Counter = field(default_factory=Counter)
    left_out: Counter = field(default_factory=Counter)
    merged: Counter = field(default_factory=Counter)
    issues: list[Issue] = field(default_factory=list)

    def lines(self) -> list[str]:
        parts = []
        for kind in ("children", "referrals", "assessments", "factors"):
            parts.append(
                f"{kind}: {self.read[kind]} read, {self.merged[kind]} merged with another census, "
                f"{self.left_out[kind]} left out"
            )
        return [*parts, f"values reported: {len(self.issues)}"]


@dataclass
class Extract:
    """The merged extract: keyed by derived identifiers, each record tagged with its census date."""

    children: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (census date, dob, sex)
    referrals: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)  # id -> (date, child, ref, close)
    assessments: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)  # id -> (date, ref, start, auth)
    factors: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # assessment id -> (date, codes)


def text_of(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


def read_reference_date(path: Path, summary: Summary) -> str:
    """The census date from the header (a quick look at the start of the file)."""
    year = reference = ""
    try:
        for event, element in etree.iterparse(str(path), events=("start", "end")):
            if event == "start" and element.getparent() is None and element.tag != "Message":
                raise CensusError(f"{path}: the root element is <{element.tag}>, not <Message>: not a CIN census file")
            if event == "end" and element.tag == "Year":
                year = text_of(element)
            if event == "end" and element.tag == "ReferenceDate":
                reference = text_of(element)
                line = element.sourceline
                break
            if event == "start" and element.tag == "Children":
                break
    except etree.XMLSyntaxError as error:
        raise CensusError(f"{path}: not readable as XML ({error})") from error
    if not DATE.match(reference):
        raise CensusError(f"{path}: the header has no valid <ReferenceDate> (found {reference!r})")
    if not reference.endswith("-03-31"):
        summary.issues.append(
            Issue(path.name, line, "ReferenceDate", reference, "not 31 March; used as the census date")
        )
    if year and year != reference[:4]:
        summary.issues.append(
            Issue(path.name, line, "Year", year, f"disagrees with ReferenceDate {reference}; ReferenceDate used")
        )
    return reference


class FileRange(io.RawIOBase):
    """Part of a file, with bytes before and after it: lets two processes each parse half of a
    census as if it were a whole one."""

    def __init__(self, path: Path, start: int, end: int, prefix: bytes = b"", suffix: bytes = b"") -> None:
        self.handle = open(path, "rb")  # noqa: SIM115  (closed in close())
        self.handle.seek(start)
        self.remaining = end - start
        self.prefix, self.suffix = prefix, suffix

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self.prefix:
            chunk, self.prefix = self.prefix[: len(buffer)], self.prefix[len(buffer) :]
        elif self.remaining > 0:
            chunk = self.handle.read(min(len(buffer), self.remaining))
            self.remaining -= len(chunk)
        else:
            chunk, self.suffix = self.suffix[: len(buffer)], self.suffix[len(buffer) :]
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self.handle.close()
        super().close()


def iter_children(path: Path, source: io.RawIOBase | None = None) -> Iterator[etree._Element]:
    try:
        for _, child in etree.iterparse(
            source if source is not None else str(path),
            events=("end",),
            tag="Child",
            huge_tree=True,
            remove_blank_text=True,
            collect_ids=False,
        ):
            yield child
            child.clear(keep_tail=True)
            parent = child.getparent()
            while parent is not None and child.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        raise CensusError(f"{path}: not readable as XML, the file may be truncated ({error})") from error


# Files larger than this are read by two processes, one half each (the machine's two cores).
SPLIT_BYTES = 32 * 1024 * 1024


# Markup inside which "</Child>" is text, not a tag: a cut there would leave neither half well-formed.
TEXT_MARKUP = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"))


def _still_inside(inside: tuple[bool, ...], data: bytes) -> tuple[bool, ...]:
    """Whether a comment or CDATA section is open after data, given whether each was open before it."""
    state = []
    for was_inside, (opener, closer) in zip(inside, TEXT_MARKUP, strict=True):
        opened, closed = data.rfind(opener), data.rfind(closer)
        state.append(opened > closed if opened != closed else was_inside)
    return tuple(state)


def _scan_to(handle: BinaryIO, end: int) -> tuple[int, tuple[bool, ...], bytes]:
    """Lines before byte `end`, whether a comment or CDATA section is open there, and the last bytes before it
    (a marker may straddle `end`)."""
    lines, inside, tail, remaining = 0, (False,) * len(TEXT_MARKUP), b"", end
    while remaining > 0:
        block = handle.read(min(remaining, 8 * 1024 * 1024))
        remaining -= len(block)
        lines += block.count(b"\n")
        inside = _still_inside(inside, tail + block)
        tail = block[-16:]  # a marker split across two blocks
    return lines, inside, tail


def split_point(path: Path) -> tuple[int, int, bytes] | None:
    """Where to cut a large census in two: just after a </Child> tag near the middle (never one that is text
    in a comment or CDATA). Returns the cut, the lines before it, and the file's opening up to and
    including <Children> (the second half's prefix)."""
    size = path.stat().st_size
    if size < SPLIT_BYTES or (os.cpu_count() or 1) < 2:
        return None
    with open(path, "rb") as handle:
        opening = handle.read(64 * 1024)
        children_at = opening.find(b"<Children>")
        handle.seek(0)
        lines, inside, tail = _scan_to(handle, size // 2)
        window = handle.read(1024 * 1024)
    found = window.find(b"</Child>")
    while found >= 0 and any(_still_inside(inside, tail + window[:found])):
        found = window.find(b"</Child>", found + 1)
    if children_at < 0 or found < 0:
        return None
    end = found + len(b"</Child>")
    prefix = opening[: children_at + len(b"<Children>")]
    return size // 2 + end, lines + window[:end].count(b"\n") - prefix.count(b"\n"), prefix


def read_half(args: tuple[Path, str, int, int, bytes, bytes, int]) -> tuple[Extract, Summary]:
    path, census_date, start, end, prefix, suffix, line_offset = args
    extract, summary = Extract(), Summary()
    source = FileRange(path, start, end, prefix, suffix)
    try:
        for child in iter_children(path, source):
            read_child(child, census_date, path.name, extract, summary)
    finally:
        source.close()
    for issue in summary.issues:
        if issue.line is not None:
            issue.line += line_offset
    return extract, summary


def merge_into(extract: Extract, summary: Summary, part: Extract, part_summary: Summary) -> None:
    """Add a later part of the same census: as if its children had been read after the first part's."""
    summary.read.update(part_summary.read)
    summary.left_out.update(part_summary.left_out)
    summary.merged.update(part_summary.merged)
    summary.issues.extend(part_summary.issues)
    for mine, theirs, kind in (
        (extract.children, part.children, "children"),
        (extract.referrals, part.referrals, "referrals"),
        (extract.assessments, part.assessments, "assessments"),
    ):
        for key, value in theirs.items():
            if key in mine:
                summary.merged[kind] += 1
            if newer(mine.get(key), value[0]):
                mine[key] = value
                if kind == "assessments":
                    extract.factors[key] = part.factors[key]


def check_date(value: str, element: etree._Element, file: str, summary: Summary) -> None:
    if not value:
        return
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        summary.issues.append(Issue(file, element.sourceline, element.tag, value, "not a YYYY-MM-DD date"))
        return
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        summary.issues.append(Issue(file, element.sourceline, element.tag, value, "not a real date"))


def newer(current: tuple | None, census_date: str) -> bool:
    return current is None or census_date >= current[0]


def report_stray_text(block: etree._Element, file: str, summary: Summary) -> None:
    """Mixed content: text between elements is not part of the census; report it."""
    for part in block.iter():
        tail = part.tail
        if tail is not None and not tail.isspace() and part is not block:
            summary.issues.append(
                Issue(file, part.sourceline, part.tag, tail.strip(), "stray text after the element, ignored")
            )


def read_child(child: etree._Element, census_date: str, file: str, extract: Extract, summary: Summary) -> None:
    # Direct loops over the elements, not find(): this runs for every child of a large census.
    summary.read["children"] += 1
    child_id = ""
    birth = sex_element = gender_element = None
    episodes = []
    for part in child:
        tag = part.tag
        if tag == "CINdetails":
            episodes.append(part)
        elif tag == "ChildIdentifiers":
            for field_element in part:
                name = field_element.tag
                if name == "LAchildID":
                    child_id = (field_element.text or "").strip()
                elif name == "PersonBirthDate":
                    birth = field_element
                elif name == "Sex":
                    sex_element = field_element
                elif name == "GenderCurrent":
                    gender_element = field_element
                tail = field_element.tail
                if tail is not None and not tail.isspace():
                    summary.issues.append(
                        Issue(
                            file, field_element.sourceline, name, tail.strip(), "stray text after the element, ignored"
                        )
                    )
        elif tag == "ChildCharacteristics":
            report_stray_text(part, file, summary)
    if not child_id:
        summary.issues.append(
            Issue(file, child.sourceline, "LAchildID", "", "missing: the child and its episodes are left out")
        )
        summary.left_out["children"] += 1
        summary.left_out["referrals"] += len(episodes)
        return
    dob = text_of(birth)
    if birth is not None:
        check_date(dob, birth, file, summary)
    sex = text_of(sex_element) if sex_element is not None else text_of(gender_element)
    if sex_element is not None and sex not in SEX_CODES:
        problem = "a GenderCurrent code in a <Sex> element" if sex in GENDER_CURRENT_CODES else "not M, F or U"
        summary.issues.append(Issue(file, sex_element.sourceline, "Sex", sex, problem))
    elif gender_element is not None and sex not in GENDER_CURRENT_CODES:
        summary.issues.append(Issue(file, gender_element.sourceline, "GenderCurrent", sex, "not 1, 2, 0 or 9"))
    if child_id in extract.children:
        summary.merged["children"] += 1
    if newer(extract.children.get(child_id), census_date):
        extract.children[child_id] = (census_date, dob, sex)
    # Two episodes of one child with the same referral date are two referrals (the second gets #2),
    # unless they are the same episode written twice.
    by_date: dict[str, list[bytes]] = {}
    for episode in episodes:
        referral_element = None
        for part in episode:
            if part.tag == "CINreferralDate":
                referral_element = part
                break
        referral_date = text_of(referral_element)
        earlier = by_date.setdefault(referral_date, [])
        if earlier:
            written = etree.tostring(episode, method="c14n")
            if not earlier[0]:
                earlier[0] = etree.tostring(first_with_date(episodes, referral_date), method="c14n")
            if written in earlier:
                summary.read["referrals"] += 1
                summary.merged["referrals"] += 1
                continue
            earlier.append(written)
        else:
            earlier.append(b"")
        read_episode(episode, referral_element, child_id, census_date, file, extract, summary, occurrence=len(earlier))


def first_with_date(episodes: list[etree._Element], referral_date: str) -> etree._Element:
    return next(e for e in episodes if text_of(e.find("CINreferralDate")) == referral_date)


def read_episode(
    episode: etree._Element,
    referral_element: etree._Element | None,
    child_id: str,
    census_date: str,
    file: str,
    extract: Extract,
    summary: Summary,
    occurrence: int = 1,
) -> None:
    summary.read["referrals"] += 1
    referral_date = text_of(referral_element)
    closure_element = None
    assessments = []
    for part in episode:
        tag = part.tag
        if tag == "Assessments":
            assessments.append(part)
        elif tag == "CINclosureDate":
            closure_element = part
    if not referral_date:
        summary.issues.append(
            Issue(file, episode.sourceline, "CINreferralDate", "", "missing: the episode is left out")
        )
        summary.left_out["referrals"] += 1
        summary.left_out["assessments"] += len(assessments)
        return
    check_date(referral_date, referral_element, file, summary)
    closure = text_of(closure_element)
    if closure_element is not None:
        check_date(closure, closure_element, file, summary)
    referral_id = f"{child_id}/{referral_date}" + (f"#{occurrence}" if occurrence > 1 else "")
    if referral_id in extract.referrals:
        summary.merged["referrals"] += 1
    if newer(extract.referrals.get(referral_id), census_date):
        extract.referrals[referral_id] = (census_date, child_id, referral_date, closure)
    seen_starts: dict[str, int] = {}
    seen_blocks: set[tuple] = set()
    for assessment in assessments:
        summary.read["assessments"] += 1
        start_element = authorised_element = holder = None
        for part in assessment:
            tag = part.tag
            if tag == "AssessmentActualStartDate":
                start_element = part
            elif tag == "AssessmentAuthorisationDate":
                authorised_element = part
            elif tag == "FactorsIdentifiedAtAssessment":
                holder = part
        codes = FACTOR_TEXTS(holder) if holder is not None else []
        start = text_of(start_element)
        if not start:
            summary.issues.append(
                Issue(
                    file, assessment.sourceline, "AssessmentActualStartDate", "", "missing: the assessment is left out"
                )
            )
            summary.left_out["assessments"] += 1
            summary.left_out["factors"] += len(codes)
            continue
        check_date(start, start_element, file, summary)
        authorised = text_of(authorised_element)
        if authorised_element is not None:
            check_date(authorised, authorised_element, file, summary)
            if authorised and authorised < start and DATE.match(start) and DATE.match(authorised):
                summary.issues.append(
                    Issue(
                        file,
                        authorised_element.sourceline,
                        "AssessmentAuthorisationDate",
                        authorised,
                        f"before the start date {start}",
                    )
                )
        for code in codes:
            if code not in VALID_FACTORS and code.strip().upper() not in VALID_FACTORS:
                line = next((f.sourceline for f in holder if f.text == code), holder.sourceline)
                summary.issues.append(
                    Issue(file, line, "AssessmentFactors", code.strip(), "not a CIN census factor code")
                )
        summary.read["factors"] += len(codes)
        block = (start, authorised, tuple(codes))
        if block in seen_blocks:  # the same assessment twice in one episode: one assessment
            summary.merged["assessments"] += 1
            continue
        seen_blocks.add(block)
        count = seen_starts[start] = seen_starts.get(start, 0) + 1
        assessment_id = f"{referral_id}/{start}" + (f"#{count}" if count > 1 else "")
        if assessment_id in extract.assessments:
            summary.merged["assessments"] += 1
        if newer(extract.assessments.get(assessment_id), census_date):
            extract.assessments[assessment_id] = (census_date, referral_id, start, authorised)
            extract.factors[assessment_id] = (census_date, codes)


def read_census(paths: Iterable[Path], summary: Summary, progress: bool = True) -> Extract:
    extract = Extract()
    for path in paths:
        if not path.exists():
            raise CensusError(f"{path}: no such file")
        census_date = read_reference_date(path, summary)
        started, before = time.perf_counter(), summary.read["children"]
        cut = split_point(path)
        if cut is None:
            for child in iter_children(path):
                read_child(child, census_date, path.name, extract, summary)
        else:
            position, line_offset, prefix = cut
            halves = [
                (path, census_date, 0, position, b"", b"</Children></Message>", 0),
                (path, census_date, position, path.stat().st_size, prefix, b"", line_offset),
            ]
            with multiprocessing.get_context("fork").Pool(2) as pool:
                for part, part_summary in pool.imap(read_half, halves):
                    if not (extract.children or extract.referrals or extract.assessments):
                        # The first part of the first file: adopt it rather than copy it.
                        extract.children, extract.referrals = part.children, part.referrals
                        extract.assessments, extract.factors = part.assessments, part.factors
                        merge_into(extract, summary, Extract(), part_summary)
                    else:
                        merge_into(extract, summary, part, part_summary)
                    del part, part_summary
        if progress:
            count = summary.read["children"] - before
            rate = count / max(time.perf_counter() - started, 1e-9)
            print(
                f"read {path.name} (census date {census_date}): {count:,} children, {rate:,.0f} a second",
                file=sys.stderr,
            )
    return extract


def write_extract(extract: Extract, out_dir: Path) -> dict[str, int]:
    """The contract's four files, rows sorted by identifier (the same input gives the same files)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = {
        "children": ((cid, dob, sex) for cid, (_, dob, sex) in sorted(extract.children.items())),
        "referrals": ((rid, child, ref, close) for rid, (_, child, ref, close) in sorted(extract.referrals.items())),
        "assessments": ((aid, rid, start, auth) for aid, (_, rid, start, auth) in sorted(extract.assessments.items())),
        "assessment_factors": ((aid, code) for aid, (_, codes) in sorted(extract.factors.items()) for code in codes),
    }
    for name, data in rows.items():
        with open(out_dir / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(CONTRACT_COLUMNS[name])
            writer.writerows(data)
    return {
        "children": len(extract.children),
        "referrals": len(extract.referrals),
        "assessments": len(extract.assessments),
        "assessment_factors": sum(len(codes) for _, codes in extract.factors.values()),
    }


# ---- extract -> census XML ----------------------------------------------------------------------


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_census(extract_dir: Path, out_path: Path, reference_date: str, lea: str = "000") -> Counter:
    """One census file holding every child, episode, assessment and factor of the extract. Rows the XML
    cannot hold (a referral whose child is not in children.csv, and so on) are counted, not written."""
    children = read_csv(extract_dir / "children.csv")
    referrals = read_csv(extract_dir / "referrals.csv")
    assessments = read_csv(extract_dir / "assessments.csv")
    factors = read_csv(extract_dir / "assessment_factors.csv")
    referrals_by_child: dict[str, list[dict[str, str]]] = {}
    for r in referrals:
        referrals_by_child.setdefault(r["child_id"].strip(), []).append(r)
    assessments_by_referral: dict[str, list[dict[str, str]]] = {}
    for a in assessments:
        assessments_by_referral.setdefault(a["referral_id"].strip(), []).append(a)
    factors_by_assessment: dict[str, list[str]] = {}
    for f in factors:
        factors_by_assessment.setdefault(f["assessment_id"].strip(), []).append(f["factor_code"])
    written: Counter = Counter()
    child_ids = {c["child_id"].strip() for c in children}
    referral_ids = {r["referral_id"].strip() for r in referrals if r["child_id"].strip() in child_ids}
    written["referrals not written: child not in children.csv"] = sum(
        len(v) for k, v in referrals_by_child.items() if k not in child_ids
    )
    written["assessments not written: referral not written"] = sum(
        len(v) for k, v in assessments_by_referral.items() if k not in referral_ids
    )
    assessment_ids = {a["assessment_id"].strip() for k in referral_ids for a in assessments_by_referral.get(k, [])}
    written["factors not written: assessment not written"] = sum(
        len(v) for k, v in factors_by_assessment.items() if k not in assessment_ids
    )

    def element(parent: etree._Element, tag: str, value: str) -> None:
        etree.SubElement(parent, tag).text = value

    out_path.parent.mkdir(parents=True, exist_ok=True)
    with etree.xmlfile(str(out_path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("Message"):
            header = etree.Element("Header")
            details = etree.SubElement(header, "CollectionDetails")
            element(details, "Collection", "CIN")
            element(details, "Year", reference_date[:4])
            element(details, "ReferenceDate", reference_date)
            source = etree.SubElement(header, "Source")
            element(source, "SourceLevel", "L")
            element(source, "LEA", lea)
            element(source, "SoftwareCode", "foi_exploitation cin_census.py")
            xf.write(header, pretty_print=True)
            with xf.element("Children"):
                seen_children: set[str] = set()
                for c in children:
                    child_id = c["child_id"].strip()
                    if child_id in seen_children:  # an exact or conflicting repeat: one child element
                        written["children not written: repeated child_id"] += 1
                        continue
                    seen_children.add(child_id)
                    node = etree.Element("Child")
                    ids = etree.SubElement(node, "ChildIdentifiers")
                    element(ids, "LAchildID", c["child_id"])
                    if c["date_of_birth"]:
                        element(ids, "PersonBirthDate", c["date_of_birth"])
                    sex = c["sex"]
                    element(ids, "GenderCurrent" if sex.strip() in GENDER_CURRENT_CODES else "Sex", sex)
                    written["children"] += 1
                    for r in referrals_by_child.get(child_id, []):
                        episode = etree.SubElement(node, "CINdetails")
                        element(episode, "CINreferralDate", r["referral_date"])
                        if r["closure_date"]:
                            element(episode, "CINclosureDate", r["closure_date"])
                        written["referrals"] += 1
                        for a in assessments_by_referral.get(r["referral_id"].strip(), []):
                            block = etree.SubElement(episode, "Assessments")
                            element(block, "AssessmentActualStartDate", a["start_date"])
                            if a["authorised_date"]:
                                element(block, "AssessmentAuthorisationDate", a["authorised_date"])
                            codes = factors_by_assessment.get(a["assessment_id"].strip(), [])
                            holder = etree.SubElement(block, "FactorsIdentifiedAtAssessment")
                            for code in codes:
                                element(holder, "AssessmentFactors", code)
                            written["assessments"] += 1
                            written["factors"] += len(codes)
                    xf.write(node, pretty_print=True)
    return written


def default_reference_date(extract_dir: Path) -> str:
    """The 31 March that ends the financial year of the extract's latest referral."""
    dates = [
        r["referral_date"].strip()
        for r in read_csv(extract_dir / "referrals.csv")
        if DATE.match(r["referral_date"].strip())
    ]
    latest = dt.date.fromisoformat(max(dates)) if dates else dt.date(2000, 1, 1)
    return f"{latest.year + (1 if latest.month >= 4 else 0)}-03-31"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    to_extract = commands.add_parser("to-extract", help="census XML files -> an extract folder")
    to_extract.add_argument("files", nargs="+", type=Path)
    to_extract.add_argument("--out", type=Path, required=True, help="the extract folder to write")
    to_extract.add_argument("--quiet", action="store_true", help="no per-value report, only the summary")
    from_extract = commands.add_parser("from-extract", help="an extract folder -> one census XML file")
    from_extract.add_argument("extract_dir", type=Path)
    from_extract.add_argument("--out", type=Path, required=True, help="the XML file to write")
    from_extract.add_argument(
        "--reference-date", default=None, help="census date (default: latest referral year's 31 March)"
    )
    args = parser.parse_args(argv)

    if args.command == "to-extract":
        summary = Summary()
        try:
            extract = read_census(args.files, summary)
        except CensusError as error:
            print(f"cin_census: {error}", file=sys.stderr)
            return 2
        written = write_extract(extract, args.out)
        if not args.quiet:
            for issue in summary.issues:
                print(f"reported: {issue}", file=sys.stderr)
        for line in summary.lines():
            print(line)
        print("wrote " + ", ".join(f"{name}.csv {rows:,} rows" for name, rows in written.items()) + f" to {args.out}")
        return 0

    missing = [n for n in CONTRACT_COLUMNS if not (args.extract_dir / f"{n}.csv").exists()]
    if missing:
        print(f"cin_census: {args.extract_dir} lacks {', '.join(m + '.csv' for m in missing)}", file=sys.stderr)
        return 2
    reference = args.reference_date or default_reference_date(args.extract_dir)
    written = write_census(args.extract_dir, args.out, reference)
    print(", ".join(f"{k}: {v:,}" for k, v in written.items()) + f"; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
