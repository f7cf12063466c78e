"""The response letter: every number in it is a published cell (never a withheld one), every question is
answered, its wording is configuration, and the .docx is accessible and reproducible."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from conftest import PROJECT_DIR, isolated_register, libreoffice_pdf, needs_libreoffice, project_vars, query
from foi_exploitation.release.data import Release, read_release
from foi_exploitation.release.export import export
from foi_exploitation.release.letter import render_markdown, template_path

YEAR = re.compile(r"\b\d{4}/\d{2}\b")
COUNT = re.compile(r"\b(\d+) (children|girls|boys|of the children|with)\b")
CATEGORY_WORDS = {
    "with CCE, CSE or both": "Total",
    "(CSE)": "CSE",
    "with CSE": "CSE",
    "(CCE)": "CCE",
    "with CCE": "CCE",
}


@pytest.fixture(scope="module")
def letter_files(default_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("letter")
    written = export(default_db, out, PROJECT_DIR, **isolated_register(out / "register"))
    return {p.suffix: p for p in written if "response_letter" in p.name}


@pytest.fixture(scope="module")
def release(default_db: Path) -> Release:
    return read_release(default_db, PROJECT_DIR)


def sections(markdown: str) -> dict[str, str]:
    """The text under each `## ` heading."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.MULTILINE)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def cell_named(question: str, item: str | None, phrase: str) -> tuple[str, str]:
    """The (category, breakdown) that the words after a count name, as a reader would take them: the
    breakdown from the noun right after it, the category from the first category the sentence names next."""
    if question == "Q3":
        assert item, phrase
        return item, "All"
    mentions = [
        (phrase.find(words), -len(words), category) for words, category in CATEGORY_WORDS.items() if words in phrase
    ]
    assert mentions, f"the letter does not say which category {phrase!r} counts"
    category = min(mentions)[2]  # the first named; of two starting together, the longer ("CCE, CSE or both")
    breakdown = "All"
    if question == "Q5":
        breakdown = "Female" if phrase.startswith("girls") else "Male" if phrase.startswith("boys") else "Not known"
    if question == "Q6":
        ages = re.search(r"aged (.+?)(?:;|\.(?!\d)|$)", phrase)
        breakdown = ages.group(1).capitalize() if ages else "Not recorded"
    return category, breakdown


def counts_in(markdown: str) -> list[tuple[str, str, str, str, int]]:
    """Every count the letter states: (question, year, category, breakdown, number)."""
    found = []
    for heading, text in sections(markdown).items():
        question = {f"Question {n}": f"Q{n}" for n in range(1, 7)}.get(heading)
        for line in text.splitlines():
            item = re.match(r"^- \*\*(.+?):\*\*", line)
            for sentence in re.split(r"(?<=\.) ", line):
                for match in COUNT.finditer(sentence):
                    assert question, f"a count outside the answers: {sentence!r}"
                    years = YEAR.findall(sentence)
                    assert len(years) == 1, f"a count without its one year: {sentence!r}"
                    phrase = sentence[match.start(2) :]
                    category, breakdown = cell_named(question, item and item.group(1), phrase)
                    found.append((question, years[0], category, breakdown, int(match.group(1))))
    return found


def test_every_count_in_the_letter_is_the_published_cell_it_names(
    letter_files: dict[str, Path], default_db: Path
) -> None:
    markdown = letter_files[".md"].read_text(encoding="utf-8")
    cells = {
        row[:4]: (row[4], row[5])
        for row in query(
            default_db,
            "select question, financial_year, category, breakdown, published, children from marts.foi_release",
        )
    }
    stated = counts_in(markdown)
    assert len(stated) >= 4, stated  # the letter gives the latest year's figures where they are published
    for question, year, category, breakdown, number in stated:
        published, _ = cells[(question, year, category, breakdown)]
        assert published == str(number), (question, year, category, breakdown, number, published)


def test_with_every_cell_published_as_a_sentinel_each_stated_count_is_its_own(release: Release) -> None:
    """Publish every count and withheld cell under a unique sentinel (true counts another): every sentence
    the template can write then appears, and each number it states must be the sentinel of the very cell
    its words name; no true count appears at all."""
    cells = [
        dataclasses.replace(
            c,
            children=900_000 + i,
            published=str(800_000 + i) if c.published.isdigit() or c.published == "[c]" else c.published,
        )
        for i, c in enumerate(release.cells)
    ]
    sentinel = dataclasses.replace(release, cells=cells)
    markdown = render_markdown(sentinel, template_path(release, PROJECT_DIR))
    assert not re.search(r"\b9\d{5}\b", markdown)
    stated = counts_in(markdown)
    assert len(stated) >= 7, stated  # Q1 CSE, CCE, Total; Q3 items held; Q5 girls and boys; Q6
    for question, year, category, breakdown, number in stated:
        assert sentinel.published(question, year, category, breakdown) == str(number)
    assert sorted(int(n) for n in re.findall(r"\b8\d{5}\b", markdown)) == sorted(n for *_, n in stated)


def test_every_question_has_its_wording_and_an_answer(letter_files: dict[str, Path], default_db: Path) -> None:
    markdown = letter_files[".md"].read_text(encoding="utf-8")
    found = sections(markdown)
    wording = dict(query(default_db, "select question, wording from raw.council_request_questions"))
    for n in range(1, 7):
        text = found[f"Question {n}"]
        assert f"> {wording[f'Q{n}']}" in text
        answer = text.split(wording[f"Q{n}"], 1)[1].strip()
        assert len(answer) > 40 and f"worksheet Q{n}" in answer, (n, answer)
    for heading in ("Figures we have withheld", "Provisional figures", "Your right to ask for a review"):
        assert heading in found, heading
    assert "section 40(2)" in found["Figures we have withheld"]
    assert "Q1" in found["Figures we have withheld"]
    assert "2025/26" in found["Provisional figures"] and "31 January 2026" in found["Provisional figures"]
    assert "Information Commissioner" in found["Your right to ask for a review"]
    assert "Open Government Licence" in found["Copyright and re-use"]


def test_a_changed_published_count_changes_the_letter(release: Release) -> None:
    template = template_path(release, PROJECT_DIR)
    before = render_markdown(release, template)
    key = ("Q1", "2024/25", "CSE", "All")
    assert release.published(*key).isdigit()
    changed = [dataclasses.replace(c, published="777") if c.key == key else c for c in release.cells]
    after = render_markdown(dataclasses.replace(release, cells=changed), template)
    assert after != before and "777 children were identified with child sexual exploitation" in after


def test_a_withheld_count_never_reaches_the_letter(release: Release) -> None:
    """Withhold the cells the letter states: their true counts vanish and no sentence stands in for them."""
    template = template_path(release, PROJECT_DIR)
    stated = counts_in(render_markdown(release, template))
    keys = {s[:4] for s in stated}
    withheld = [dataclasses.replace(c, published="[c]") if c.key in keys else c for c in release.cells]
    after = render_markdown(dataclasses.replace(release, cells=withheld), template)
    assert keys and counts_in(after) == []


def test_a_letter_from_the_synthetic_extract_says_it_is_not_for_sending(release: Release) -> None:
    template = template_path(release, PROJECT_DIR)
    warning = "Not for sending: this letter was made from the synthetic example extract"
    assert release.synthetic_extract and warning in render_markdown(release, template)
    assert warning not in render_markdown(dataclasses.replace(release, synthetic_extract=False), template)


def test_council_wording_is_configuration(release: Release, tmp_path: Path) -> None:
    meta = {**release.metadata, "council_name": "Eastshire County Council", "letter_signatory": "A. Person"}
    text = render_markdown(dataclasses.replace(release, metadata=meta), template_path(release, PROJECT_DIR))
    assert "Eastshire County Council" in text and "A. Person" in text
    own = tmp_path / "letter.md"
    own.write_text("Our reference: {{ meta.foi_reference }}. We write in our own words.\n", encoding="utf-8")
    assert (
        render_markdown(release, own)
        == f"Our reference: {release.metadata['foi_reference']}. We write in our own words.\n"
    )


def test_a_template_naming_something_unknown_stops_the_export(release: Release, tmp_path: Path) -> None:
    from foi_exploitation.release.data import ExportError

    broken = tmp_path / "letter.md"
    broken.write_text("Dear {{ requester_name }},\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"letter template .*letter\.md.*requester_name"):
        render_markdown(release, broken)


def test_the_docx_is_an_accessible_letter(letter_files: dict[str, Path]) -> None:
    document = Document(str(letter_files[".docx"]))
    vars_ = project_vars()
    assert document.core_properties.title.startswith(vars_["foi_reference"])
    assert document.core_properties.language == vars_["document_language"]
    lang = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert lang.find(qn("w:lang")).get(qn("w:val")) == vars_["document_language"]
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0][0] == "Heading 1"
    assert [t for s, t in headings if s == "Heading 2"][:6] == [f"Question {n}" for n in range(1, 7)]
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Field or flag you asked about", "Held", "Its name in our system"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert len(table.rows) == 10
    links = {r.target_ref for r in document.part.rels.values() if r.is_external}
    assert f"mailto:{vars_['release_contact_email']}" in links and vars_["release_licence_url"] in links
    # The same words as the Markdown, with no markup left over.
    markdown = letter_files[".md"].read_text(encoding="utf-8")
    plain = re.sub(r"\s+", " ", re.sub(r"\*\*|\\$|^#+ |^> |^- ", "", markdown, flags=re.MULTILINE))
    for paragraph in document.paragraphs:
        text = re.sub(r"\s+", " ", paragraph.text).strip()
        assert "**" not in text and "](" not in text, text
        if text and "@" not in text and "http" not in text:
            assert text in plain, text


@needs_libreoffice
def test_the_letter_converts_to_pdf_in_libreoffice(letter_files: dict[str, Path], tmp_path: Path) -> None:
    libreoffice_pdf(letter_files[".docx"], tmp_path)
