"""The release workbook and CSVs: layout rules, the published cells and nothing else, reproducible,
and fail closed."""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
import zipfile
from pathlib import Path

import export_release
import pytest
from openpyxl import load_workbook

from conftest import PROJECT_DIR, isolated_register, libreoffice_pdf, needs_libreoffice, project_vars, query
from foi_exploitation.release import data
from foi_exploitation.release.export import export as export_release_files
from foi_exploitation.release.export import release_folder

SHEETS = ["Cover", "Contents", "Notes", "Q1", "Chart_Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
TABLE_SHEETS = ["Contents", "Notes", "Q1", "Chart_Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
YEAR_PATTERN = re.compile(r"^(\d{4})/(\d{2})( \[p\])?$")


def export(db_path: Path, out: Path) -> list[Path]:
    return export_release_files(db_path, out, PROJECT_DIR, **isolated_register(out.parent / f"{out.name}_register"))


@pytest.fixture(scope="module")
def exported(default_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("release")
    written = export(default_db, out)
    return {p.name: p for p in written}


def workbook_path(exported: dict[str, Path]) -> Path:
    return next(p for name, p in exported.items() if name.endswith(".xlsx"))


def table_cells(ws):
    """(header row, data rows) of the sheet's one Excel Table."""
    (table,) = ws.tables.values()
    rows = [[c.value for c in row] for row in ws[table.ref]]
    return rows[0], rows[1:]


def test_sheets_titles_and_tables(exported: dict[str, Path]) -> None:
    wb = load_workbook(workbook_path(exported))
    assert wb.sheetnames == SHEETS
    for ws in wb.worksheets:
        assert isinstance(ws["A1"].value, str) and ws["A1"].value.strip(), ws.title
        assert ws.merged_cells.ranges == set(), ws.title
        assert ws.sheet_state == "visible"
        if ws.title in TABLE_SHEETS:
            assert len(ws.tables) == 1, ws.title
            header, rows = table_cells(ws)
            assert all(isinstance(h, str) and h for h in header), ws.title
            assert len(set(header)) == len(header)
            assert rows, ws.title
            for row in rows:  # no blank rows or columns inside a table
                assert any(v not in (None, "") for v in row), ws.title
            for col in range(len(header)):
                assert any(row[col] not in (None, "") for row in rows) or ws.title == "Chart_Q1", (
                    ws.title,
                    header[col],
                )


def test_years_ascending_down_the_first_column(exported: dict[str, Path]) -> None:
    wb = load_workbook(workbook_path(exported))
    for name in ("Q1", "Q3", "Q5", "Q6", "Chart_Q1"):
        header, rows = table_cells(wb[name])
        assert header[0] == "Financial year"
        starts = []
        for row in rows:
            match = YEAR_PATTERN.match(row[0])
            assert match, row[0]
            assert int(match.group(2)) == (int(match.group(1)) + 1) % 100
            starts.append(int(match.group(1)))
        assert starts == sorted(starts) and len(set(starts)) == len(starts)


def expected_published(default_db: Path) -> dict[tuple[str, str, str, str], str]:
    rows = query(default_db, "select question, financial_year, category, breakdown, published from marts.foi_release")
    return {row[:4]: row[4] for row in rows}


def test_every_published_cell_matches_foi_release(exported: dict[str, Path], default_db: Path) -> None:
    published = expected_published(default_db)
    wb = load_workbook(workbook_path(exported))
    seen = set()
    breakdowns = {"Q1": ["All"], "Q3": ["All"], "Q5": data.SEXES, "Q6": data_age_groups(default_db)}
    for question, labels in breakdowns.items():
        header, rows = table_cells(wb[question])
        for row in rows:
            year = row[0].replace(" [p]", "")
            for col, value in enumerate(row[1:], 1):
                heading = re.sub(r"\s*\[note \d+\]", "", header[col])
                if question == "Q3":
                    category, breakdown = heading, "All"
                elif question == "Q1":
                    category, breakdown = _category_of(heading), "All"
                else:
                    name, breakdown = heading.split(": ")
                    category = _category_of(name)
                    assert breakdown in labels
                key = (question, year, category, breakdown)
                assert str(value) == published[key], key
                seen.add(key)
    assert seen == set(published)


def data_age_groups(default_db: Path) -> list[str]:
    return [r[0] for r in query(default_db, "select distinct breakdown from marts.foi_release where question = 'Q6'")]


def _category_of(heading: str) -> str:
    return {v: k for k, v in data.CATEGORY_HEADINGS.items()}[heading]


def test_withheld_counts_appear_nowhere(exported: dict[str, Path], default_db: Path) -> None:
    """No [c] cell's true count can be read from the files: every cell that holds it shows [c], the
    chart data leaves it empty, and the workbook carries no cached chart values, hidden parts or
    comments where it could hide."""
    withheld = query(
        default_db,
        "select question, financial_year, category, breakdown, children from marts.foi_release where published = '[c]'",
    )
    assert withheld
    wb = load_workbook(workbook_path(exported))
    _, chart_rows = table_cells(wb["Chart_Q1"])
    chart = {row[0].replace(" [p]", ""): row[1:] for row in chart_rows}
    for question, year, category, _, _ in withheld:
        if question == "Q1":
            assert chart[year][data.CATEGORIES.index(category)] is None
    with zipfile.ZipFile(workbook_path(exported)) as archive:
        names = archive.namelist()
        assert not any("comments" in n for n in names)
        for name in names:
            text = archive.read(name).decode("utf-8", errors="replace")
            assert "numCache" not in text and "strCache" not in text, name
            assert 'state="hidden"' not in text and 'hidden="1"' not in text, name
    for path in exported.values():
        if path.suffix == ".csv":
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            assert "children" not in rows[0]
    all_cells = next(p for n, p in exported.items() if n.endswith("_all_cells.csv"))
    with open(all_cells, encoding="utf-8", newline="") as handle:
        by_key = {
            (r["question"], r["financial_year"], r["category"], r["breakdown"]): r["published"]
            for r in csv.DictReader(handle)
        }
    for question, year, category, breakdown, _ in withheld:
        assert by_key[(question, year, category, breakdown)] == "[c]"


def test_every_marker_used_is_explained(exported: dict[str, Path]) -> None:
    wb = load_workbook(workbook_path(exported))
    cover_text = " ".join(str(c.value) for row in wb["Cover"].iter_rows() for c in row if c.value)
    _, note_rows = table_cells(wb["Notes"])
    note_numbers = {row[0] for row in note_rows}
    used_markers, used_notes = set(), set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    used_markers |= set(re.findall(r"\[[cxzp]\]", cell.value))
                    used_notes |= {f"note {n}" for n in re.findall(r"\[note (\d+)\]", cell.value)}
    assert used_markers >= {"[c]", "[x]", "[p]"}
    for marker in used_markers:
        assert f"{marker} " in cover_text, marker
    assert used_notes <= note_numbers
    assert used_notes, "tables cite notes"


def test_csvs_hold_the_same_cells_as_the_sheets(exported: dict[str, Path]) -> None:
    """The same cells; a table by year gives the year alone (`2025/26`) and its status in a column."""
    wb = load_workbook(workbook_path(exported))
    for sheet_name, stem in (("Q1", "q1_"), ("Q2", "q2_"), ("Q3", "q3_"), ("Q4", "q4_"), ("Q5", "q5_"), ("Q6", "q6_")):
        path = next(p for n, p in exported.items() if f"_{stem}" in n and n.endswith(".csv"))
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        header, table = table_cells(wb[sheet_name])
        expected = [["" if v is None else str(v) for v in row] for row in table]
        if header[0] == "Financial year":
            header = [header[0], "Status", *header[1:]]
            expected = [
                [row[0].removesuffix(" [p]"), "provisional" if row[0].endswith(" [p]") else "final", *row[1:]]
                for row in expected
            ]
            assert {row[1] for row in rows[1:]} == {"final", "provisional"}
            assert all(YEAR_PATTERN.match(row[0]) and "[" not in row[0] for row in rows[1:])
        assert rows[0] == header
        assert rows[1:] == expected


def test_all_cells_keep_the_status_and_metadata_travels_with_the_csvs(exported: dict[str, Path]) -> None:
    by_name = {name.split("_")[-1]: path for name, path in exported.items()}
    with open(by_name["cells.csv"], encoding="utf-8", newline="") as handle:
        cells = list(csv.DictReader(handle))
    assert {c["status"] for c in cells if c["financial_year"] == "2025/26"} == {"provisional"}
    assert {c["status"] for c in cells if c["financial_year"] == "2019/20"} == {"final"}
    with open(by_name["metadata.csv"], encoding="utf-8", newline="") as handle:
        fields = {row["field"]: row["value"] for row in csv.DictReader(handle)}
    vars_ = project_vars()
    assert fields["council"] == vars_["council_name"] and fields["foi_reference"] == vars_["foi_reference"]
    assert fields["extract_date"] == vars_["extract_date"] and fields["licence_url"] == vars_["release_licence_url"]
    assert {"title", "licence", "attribution", "shorthand", "extract_file"} <= set(fields)


def test_the_release_has_a_folder_of_its_own(default_db: Path) -> None:
    """Named by FOI reference and extract date, under the configured output folder (relative: the project's)."""
    release = data.read_release(default_db, PROJECT_DIR)
    vars_ = project_vars()
    folder = release_folder(release, PROJECT_DIR, None)
    assert folder == PROJECT_DIR / vars_["release_output_dir"] / f"FOI_5706_{vars_['extract_date']}"
    for reference, name in (("FOI/5706 (b)", "FOI_5706__b"), ("2026-0042", "2026-0042"), ("  x  ", "x")):
        renamed = dataclasses.replace(release, metadata={**release.metadata, "foi_reference": reference})
        assert renamed.folder_name == f"{name}_{vars_['extract_date']}", reference


def test_two_exports_are_byte_identical(default_db: Path, tmp_path: Path) -> None:
    first = export(default_db, tmp_path / "a")
    second = export(default_db, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_chart_has_alternative_text_that_states_the_trend(exported: dict[str, Path], default_db: Path) -> None:
    """The alternative text says what the chart shows, from published numbers only; the chart's data comes
    first, the chart after it, and withheld years are gaps."""
    wb = load_workbook(workbook_path(exported))
    column_a = [row[0].value for row in wb["Chart_Q1"].iter_rows(min_row=2, max_col=1)]
    end = next(i for i, text in enumerate(column_a) if text.startswith("Empty cells in the chart data"))
    alt_text = " ".join(column_a[:end])
    with zipfile.ZipFile(workbook_path(exported)) as archive:
        drawing = archive.read("xl/drawings/drawing1.xml").decode()
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert f'descr="{alt_text}"' in drawing
    assert re.search(r"(rose|fell|was unchanged) from \d+ in \d{4}/\d{2} to \d+ in \d{4}/\d{2}", alt_text)
    published = expected_published(default_db)
    trends = re.findall(r"\((CSE|CCE|Total)\) \w+ (?:unchanged )?from (\d+) in (\S+) to (\d+) in (\S+?)\.", alt_text)
    assert trends, alt_text
    for category, first, first_year, last, last_year in trends:  # each number is the cell its words name
        assert published[("Q1", first_year, category, "All")] == first
        assert published[("Q1", last_year, category, "All")] == last
    numbers = re.findall(r"(?<![/\d])\d+(?![/\d])", alt_text)
    assert len(numbers) == 2 * len(trends), alt_text
    (table,) = wb["Chart_Q1"].tables.values()
    assert int(re.search(r"<(?:xdr:)?row>(\d+)</(?:xdr:)?row>", drawing).group(1)) + 1 > int(
        table.ref.split(":")[1][1:]
    )
    assert 'dispBlanksAs val="gap"' in chart


def test_cover_links_language_and_a_way_back_to_the_contents(exported: dict[str, Path]) -> None:
    wb = load_workbook(workbook_path(exported))
    vars_ = project_vars()
    assert wb.properties.language == vars_["document_language"]
    links = {c.hyperlink.target or c.hyperlink.location for row in wb["Cover"].iter_rows() for c in row if c.hyperlink}
    assert {vars_["release_licence_url"], f"mailto:{vars_['release_contact_email']}", "'Contents'!A1"} <= links
    cover_text = " ".join(str(c.value) for row in wb["Cover"].iter_rows() for c in row if c.value)
    assert "Response date: 20 February 2026" in cover_text and "SHA-256" in cover_text
    for name in TABLE_SHEETS[1:]:
        back = [c for row in wb[name].iter_rows(max_col=1) for c in row if c.hyperlink]
        assert [c.hyperlink.location for c in back] == ["'Contents'!A1"], name


def test_labels_wrap_headers_align_and_wide_tables_print_readably(exported: dict[str, Path]) -> None:
    wb = load_workbook(workbook_path(exported))
    for name in ("Q2", "Q4"):
        ws = wb[name]
        _, rows = table_cells(ws)
        (table,) = ws.tables.values()
        first = int(table.ref.split(":")[0][1:])
        for offset, row in enumerate(rows, first + 1):
            width = ws.column_dimensions["A"].width
            cell = ws.cell(row=offset, column=1)
            assert cell.alignment.wrap_text, (name, row[0])
            if len(row[0]) > width - 2:  # the row is tall enough for its wrapped label
                assert (ws.row_dimensions[offset].height or 15) >= 30, (name, row[0])
    for name in ("Q1", "Q5", "Q6"):
        ws = wb[name]
        (table,) = ws.tables.values()
        first = int(table.ref.split(":")[0][1:])
        assert ws.cell(row=first, column=2).alignment.horizontal == "right", name
        assert ws.cell(row=first, column=1).alignment.horizontal == "left", name
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == f"${first}:${first}" and ws.print_title_cols == "$A:$A", name
        assert ws.page_setup.scale is None or ws.page_setup.scale >= 75, name
        if not ws.sheet_properties.pageSetUpPr.fitToPage:
            assert ws.page_setup.scale >= 75, name


def test_missing_or_empty_database_fails_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert export_release.main(["--db", str(tmp_path / "none.duckdb"), "--out", str(out)]) == 1
    message = capsys.readouterr().err.strip()
    assert message.startswith("export: no database at") and "\n" not in message
    import duckdb

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    assert export_release.main(["--db", str(empty), "--out", str(out)]) == 1
    assert "has no build record" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())


def test_failing_audit_writes_no_file(default_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import duckdb

    leaky = tmp_path / "leaky.duckdb"
    shutil.copy(default_db, leaky)
    with duckdb.connect(str(leaky)) as con:
        # Publish one withheld Q5 cell: its [c] neighbours can now be worked out.
        con.execute(
            "update marts.foi_release set published = cast(children as varchar) where sort_order = ("
            "select min(sort_order) from marts.foi_release where question = 'Q5' and published = '[c]')"
        )
    out = tmp_path / "out"
    assert export_release.main(["--db", str(leaky), "--out", str(out)]) == 1
    error = capsys.readouterr().err
    assert "no file written" in error and "disclosure audit failed" in error and "could be" in error
    assert not out.exists() or not any(out.iterdir())


@needs_libreoffice
def test_opens_in_libreoffice_and_converts_to_pdf(exported: dict[str, Path], tmp_path: Path) -> None:
    libreoffice_pdf(workbook_path(exported), tmp_path)
