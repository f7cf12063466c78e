"""Write the release: an accessible Excel workbook and CSV files, rendered from the built database.

Everything comes from one `dbt build`: foi_release (the cells), foi_release_metadata (the council's
configuration) and the council's Q2-Q4 seeds. The workbook follows the Government Analysis Function
guidance on releasing statistics in spreadsheets: a cover sheet, contents, notes, one table per sheet
with its title in A1, Excel Tables with header rows, years ascending down the first column, shorthand
explained. The disclosure audit runs first: if any [c] cell can be narrowed, no file is written.
The same database always gives byte-identical files.

    python scripts/export_release.py                  # FOI_DUCKDB_PATH, or build/foi.duckdb
    python scripts/export_release.py --out /tmp/release
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import duckdb
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo

from foi_exploitation.audit import audit
from foi_exploitation.build_record import (
    BuildRecordError,
    check_latest_build,
    configured_extract_dir,
    is_synthetic_default,
)
from foi_exploitation.cells import Cell, DisclosureRules

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_DIR / "build" / "foi.duckdb"
SEXES = ["Male", "Female", "Not known"]
AGE_GROUPS = ["Under 10", "10-12", "13-15", "16-17", "Not recorded"]
CATEGORIES = ["CCE", "CSE", "Both", "Total"]
# Q5 and Q6 give what the request asks: CCE, CSE and Both (Total is in Q1 only).
BREAKDOWN_CATEGORIES = ["CCE", "CSE", "Both"]
CATEGORY_HEADINGS = {"CCE": "CCE", "CSE": "CSE", "Both": "Both CCE and CSE", "Total": "Total CCE or CSE"}
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SHORTHAND = {
    "[c]": "confidential: withheld so that no child can be identified (disclosure control)",
    "[x]": "not available: not recorded in that year, or not held by the council",
    "[z]": "not applicable",
    "[p]": "provisional: the year was not complete when the data were extracted",
}


SYNTHETIC_STATEMENT = (
    "Made from the synthetic example extract that comes with the tool (data/extract), not from the council's "
    "records: these are not the council's figures. Set FOI_EXTRACT_DIR to the council's extract and build again."
)


class ExportError(Exception):
    """A problem the person running the export can act on: printed as one line."""


@dataclass
class Release:
    metadata: dict[str, object]
    cells: list[Cell]
    years: list[dict[str, object]]
    q2: list[dict[str, object]]
    q3_items: list[dict[str, object]]
    q4: list[dict[str, object]]
    # Built from the synthetic example extract that comes with the tool (data/extract).
    synthetic_extract: bool = False

    def published(self, question: str, year: str, category: str, breakdown: str) -> str:
        return self._index[(question, year, category, breakdown)]

    def __post_init__(self) -> None:
        self._index = {c.key: c.published for c in self.cells}

    @property
    def rules(self) -> DisclosureRules:
        """The disclosure rules the release was built with; anything not plainly valid stops the export."""
        meta = self.metadata
        try:
            return DisclosureRules.from_config(
                meta["suppression_threshold"], meta["protection_level"], meta["zeros_may_be_withheld"]
            )
        except ValueError as error:
            raise ExportError(f"foi_release_metadata: {error}") from error

    @property
    def timestamp(self) -> dt.datetime:
        """The files' creation and modification time: the extract date, so every export is the same."""
        return dt.datetime.combine(self.metadata["extract_date"], dt.time())  # type: ignore[arg-type]


@dataclass
class Sheet:
    """One table on its own worksheet (and in its own CSV file)."""

    name: str
    title: str
    lines: list[str]
    headers: list[str]
    rows: list[list[object]]
    csv_name: str | None = None


# ---- reading the database ----------------------------------------------------------------------


def read_release(db_path: Path) -> Release:
    if not db_path.exists():
        raise ExportError(f"no database at {db_path}: run `make release` (or `dbt build`) first")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as error:
        raise ExportError(f"cannot open {db_path}: {error}") from error
    try:
        check_latest_build(con, db_path, configured_extract_dir(PROJECT_DIR))
    except BuildRecordError as error:
        con.close()
        raise ExportError(f"no file written: {error}") from error
    try:

        def rows(sql: str) -> list[dict[str, object]]:
            cursor = con.execute(sql)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

        metadata = rows("select * from marts.foi_release_metadata")
        cells = con.execute(
            "select question, financial_year, category, breakdown, children, published "
            "from marts.foi_release order by sort_order"
        ).fetchall()
        years = rows("select * from intermediate.int_financial_years order by financial_year_order")
        q2 = rows("select * from raw.council_q2_system_fields order by item_order")
        q3_items = rows("select * from raw.council_q3_items order by item_order")
        q4 = rows("select * from raw.council_q4_contexts order by context_order")
    except duckdb.CatalogException as error:
        raise ExportError(f"{db_path} does not hold a built release ({error}): run `make release`") from error
    finally:
        con.close()
    if not metadata or not cells:
        raise ExportError(f"{db_path} holds an empty release: run `make release`")
    synthetic = is_synthetic_default(PROJECT_DIR)
    return Release(metadata[0], [Cell(*c) for c in cells], years, q2, q3_items, q4, synthetic)


# ---- the tables ---------------------------------------------------------------------------------


def as_value(published: str) -> object:
    """A published count as a number (so it sorts and sums); shorthand stays text."""
    return int(published) if published.isdigit() else published


def long_date(day: object) -> str:
    value = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
    return f"{value.day} {value:%B %Y}"


def year_label(year: dict[str, object]) -> str:
    return f"{year['financial_year']} [p]" if year["is_provisional"] else str(year["financial_year"])


class Notes:
    """The notes sheet: each note has a number, cited as [note N] where it applies."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, text: str) -> str:
        self.texts.append(text)
        return f"[note {len(self.texts)}]"


def build_sheets(release: Release) -> list[Sheet]:
    meta = release.metadata
    notes = Notes()
    note_children = notes.add(
        "Counts are individual children known to children's social care, each counted once per financial "
        "year in each category however many assessments they had. A child is counted in a year when a "
        "children's social care assessment completed (authorised) in that year identified the factor, and "
        "the child was under 18 on that date."
    )
    note_cce = notes.add(
        f"Child criminal exploitation (assessment factor 24A) was not recorded before "
        f"{long_date(meta['cce_recording_start_date'])}: CCE, Both and Total are not available [x] in "
        "earlier years. This is not the same as zero."
    )
    provisional = [y for y in release.years if y["is_provisional"]]
    note_provisional = notes.add(
        "Provisional [p]: "
        + (
            "; ".join(f"{y['financial_year']} covers data to {long_date(y['data_to_date'])}" for y in provisional)
            if provisional
            else "no year in this release is provisional"
        )
        + "."
    )
    note_suppression = notes.add(suppression_note(release.rules))
    note_sex = notes.add("Sex as recorded: Male, Female, or Not known (not recorded, indeterminate or unknown).")
    note_age = notes.add(
        "Age in whole years on the child's first assessment in the year that identified CSE or CCE; Not "
        "recorded where the date of birth is missing or not valid."
    )
    note_categories = notes.add(
        "CCE: child criminal exploitation. CSE: child sexual exploitation. Both: identified with both in the "
        "same year. Total: identified with either, so Total = CCE + CSE - Both; it is given in Q1 only."
    )
    item_notes = {item["item"]: notes.add(f"{item['item']}: {item['statement']}") for item in release.q3_items}
    note_q2 = notes.add("Field names are as they appear in the council's case management system.")
    note_q4 = notes.add(
        "The council's statements for the contexts of exploitation asked about; where a context is not held, "
        "no count can be given."
    )

    year_rows = release.years
    common_lines = ["Shorthand: [c] withheld, [x] not available, [z] not applicable, [p] provisional (see the Cover)."]
    count_lines = [
        "This worksheet contains one table. Financial years run 1 April to 31 March.",
        f"Categories {note_categories}. Provisional years {note_provisional}. Disclosure control {note_suppression}.",
    ]
    sheets: list[Sheet] = []

    q1_headers = ["Financial year"] + [
        f"{CATEGORY_HEADINGS[c]} {note_children}" + (f" {note_cce}" if c != "CSE" else "") for c in CATEGORIES
    ]
    sheets.append(
        Sheet(
            "Q1",
            "Q1: Children identified with child criminal exploitation (CCE), child sexual exploitation (CSE) "
            "or both, by financial year",
            [*count_lines, *common_lines],
            q1_headers,
            [
                [year_label(y)]
                + [as_value(release.published("Q1", str(y["financial_year"]), c, "All")) for c in CATEGORIES]
                for y in year_rows
            ],
            csv_name="q1_children_by_category",
        )
    )
    sheets.append(
        Sheet(
            "Q2",
            "Q2: Structured fields and flags held in the case management system",
            [f"This worksheet contains one table. {note_q2}", *common_lines],
            ["Field or flag asked about", "Held", "Field names in the system"],
            [
                [
                    str(i["item"]),
                    "Yes" if i["held"] else "No",
                    str(i["field_names"]) if i["held"] and i["field_names"] else "[z]",
                ]
                for i in release.q2
            ],
            csv_name="q2_system_fields",
        )
    )
    sheets.append(
        Sheet(
            "Q3",
            "Q3: Children associated with gangs, organised crime groups (OCG) or county lines, by financial year",
            [
                "This worksheet contains one table. Financial years run 1 April to 31 March.",
                "What each column counts, and why an item is not available: " + " ".join(item_notes.values()) + ".",
                f"Provisional years {note_provisional}. Disclosure control {note_suppression}.",
                *common_lines,
            ],
            ["Financial year"] + [f"{i['item']} {item_notes[str(i['item'])]}" for i in release.q3_items],
            [
                [year_label(y)]
                + [
                    as_value(release.published("Q3", str(y["financial_year"]), str(i["item"]), "All"))
                    for i in release.q3_items
                ]
                for y in year_rows
            ],
            csv_name="q3_gang_ocg_county_lines",
        )
    )
    sheets.append(
        Sheet(
            "Q4",
            "Q4: Where exploitation was recorded as taking place",
            [f"This worksheet contains one table. {note_q4}", *common_lines],
            ["Context asked about", "Held", "Council's statement"],
            [[str(c["context"]), "Yes" if c["held"] else "No", str(c["statement"])] for c in release.q4],
            csv_name="q4_contexts",
        )
    )
    for question, breakdowns, what, note in (("Q5", SEXES, "sex", note_sex), ("Q6", AGE_GROUPS, "age group", note_age)):
        headers = ["Financial year"] + [
            f"{CATEGORY_HEADINGS[c]}: {b}" + (f" {note_cce}" if c != "CSE" else "")
            for c in BREAKDOWN_CATEGORIES
            for b in breakdowns
        ]
        sheets.append(
            Sheet(
                question,
                f"{question}: Children identified with CCE, CSE or both, by {what} and financial year",
                [
                    *count_lines,
                    f"Each category's {what} columns add up to its Q1 count. {what.capitalize()} {note}.",
                    *common_lines,
                ],
                headers,
                [
                    [year_label(y)]
                    + [
                        as_value(release.published(question, str(y["financial_year"]), c, b))
                        for c in BREAKDOWN_CATEGORIES
                        for b in breakdowns
                    ]
                    for y in year_rows
                ],
                csv_name=f"{question.lower()}_children_by_{what.replace(' ', '_')}",
            )
        )
    notes_sheet = Sheet(
        "Notes",
        "Notes",
        ["This worksheet contains one table of the notes the other worksheets cite."],
        ["Note number", "Note text"],
        [[f"note {i}", t] for i, t in enumerate(notes.texts, 1)],
        csv_name="notes",
    )
    return [notes_sheet, *sheets]


def suppression_note(rules: DisclosureRules) -> str:
    """The disclosure rules in plain words, as the notes sheet states them."""
    threshold, level = rules.threshold, rules.protection_level
    zeros = (
        "Zeros are real zeros: no zero is withheld, so every [c] stands for at least 1."
        if not rules.zeros_may_be_withheld
        else "Zeros may be withheld too, so a [c] can hide a zero."
    )
    return (
        f"Disclosure control: counts from 1 to {threshold} are withheld [c], and the fewest further cells are "
        "withheld so that no withheld count can be worked out from the other numbers and the ways they add up: "
        f"each [c] could be any of at least {threshold + 1} values, and a withheld count from 1 to {threshold} "
        f"could be at least {level} more or {level} less (not below {rules.floor}), as far as the table allows. "
        + zeros
    )


# ---- the workbook -------------------------------------------------------------------------------


def column_widths(sheet: Sheet) -> list[int]:
    widths = []
    for index, header in enumerate(sheet.headers):
        longest = max([len(str(header))] + [len(str(row[index])) for row in sheet.rows])
        cap = 70 if index == len(sheet.headers) - 1 and len(sheet.headers) <= 3 else 28
        widths.append(max(10, min(cap, longest + 2)))
    return widths


def write_table(ws, sheet: Sheet, table_name: str, first_row: int) -> tuple[int, int]:
    ws["A1"] = sheet.title
    ws["A1"].font = Font(bold=True, size=14)
    for offset, line in enumerate(sheet.lines, 2):
        ws.cell(row=offset, column=1, value=line)
    header_row = first_row
    for col, header in enumerate(sheet.headers, 1):
        cell = ws.cell(row=header_row, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(sheet.rows, header_row + 1):
        for col, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=col, value=value)
            if isinstance(value, int):
                cell.number_format = "#,##0"
                cell.alignment = Alignment(horizontal="right", vertical="top")
            elif col > 1 and value in SHORTHAND:
                cell.alignment = Alignment(horizontal="right", vertical="top")
            else:
                cell.alignment = Alignment(wrap_text=isinstance(value, str) and len(value) > 60, vertical="top")
    ws.row_dimensions[header_row].height = 15 * max(1, max(len(str(h)) // 24 + 1 for h in sheet.headers))
    last_row = header_row + len(sheet.rows)
    ref = f"A{header_row}:{get_column_letter(len(sheet.headers))}{last_row}"
    table = ExcelTable(displayName=table_name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    widths = column_widths(sheet)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, row in enumerate(sheet.rows, header_row + 1):
        lines = max(len(str(v)) // max(1, widths[c] - 2) + 1 if isinstance(v, str) else 1 for c, v in enumerate(row))
        if lines > 1:  # wrapped text: spreadsheet programs do not all grow rows on opening
            ws.row_dimensions[r].height = 15 * lines
    print_to_page_width(ws)
    return header_row, last_row


def print_to_page_width(ws) -> None:
    """Landscape, one page wide: how the sheet prints or converts to PDF."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def cover_lines(release: Release) -> list[tuple[str, bool]]:
    meta = release.metadata
    years = release.years
    lines: list[tuple[str, bool]] = [
        ("About this release", True),
        *([(SYNTHETIC_STATEMENT, True)] if release.synthetic_extract else []),
        (f"Council: {meta['council_name']}", False),
        (f"Freedom of Information request reference: {meta['foi_reference']}", False),
        (f"Data extracted from the case management system on {long_date(meta['extract_date'])}.", False),
        (
            f"Financial years covered: {years[0]['financial_year']} to {years[-1]['financial_year']} "
            "(1 April to 31 March), in ascending order.",
            False,
        ),
        ("What is covered", True),
        (
            "Children (under 18) known to children's social care who were identified at the end of an assessment "
            "with child criminal exploitation (CCE, factor 24A), child sexual exploitation (CSE, factor 11A) or gangs "
            "(factor 13A), and the flags the council's case management system holds.",
            False,
        ),
        ("Counting rules in short", True),
        (
            "A child counts once per financial year in each category, on assessments completed (authorised) in that "
            "year while under 18. Categories are inclusive: Both means CCE and CSE in the same year; Total means "
            "either, so Total = CCE + CSE - Both. One age and one sex per child per year, so breakdowns add up to "
            "their totals. Where CCE was not recorded the cells are not available [x], which is not zero.",
            False,
        ),
        ("Shorthand used in the tables", True),
        *[(f"{k} {v}", False) for k, v in SHORTHAND.items()],
        ("Licence and attribution", True),
        (str(meta["licence"]), False),
        (str(meta["attribution"]), False),
        ("Contact", True),
        (str(meta["contact"]), False),
    ]
    return lines


def build_workbook(release: Release, sheets: list[Sheet]) -> Workbook:
    meta = release.metadata
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover["A1"] = str(meta["release_title"])
    cover["A1"].font = Font(bold=True, size=16)
    for row, (text, is_heading) in enumerate(cover_lines(release), 2):
        cell = cover.cell(row=row, column=1, value=text)
        cell.font = Font(bold=is_heading, size=12 if is_heading else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Wrapped text needs its row height set: spreadsheet programs do not all grow rows on opening.
        cover.row_dimensions[row].height = 16 * (len(text) // 105 + 1) + (4 if is_heading else 0)
    cover.row_dimensions[1].height = 24
    cover.column_dimensions["A"].width = 110
    print_to_page_width(cover)

    by_name = {s.name: s for s in sheets}
    order = ["Notes", "Q1", "Chart_Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
    titles = {s.name: s.title for s in sheets}
    titles["Chart_Q1"] = "Chart of Q1: children identified with CCE, CSE or both, by financial year"
    contents = Sheet(
        "Contents",
        "Contents",
        ["This worksheet contains one table. Select a worksheet name to go to it."],
        ["Worksheet", "Title"],
        [[name, titles[name]] for name in order],
    )
    contents_ws = wb.create_sheet("Contents")
    header_row, _ = write_table(contents_ws, contents, "Contents_table", 3)
    for r, name in enumerate(order, header_row + 1):
        cell = contents_ws.cell(row=r, column=1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{name}'!A1", display=name)
        cell.font = Font(underline="single", color="0563C1")

    for name in order:
        ws = wb.create_sheet(name)
        if name == "Chart_Q1":
            add_chart_sheet(ws, by_name["Q1"], release)
            continue
        sheet = by_name[name]
        write_table(ws, sheet, f"{name}_table", len(sheet.lines) + 2)

    wb.properties.creator = str(meta["council_name"])
    wb.properties.title = str(meta["release_title"])
    fixed = release.timestamp
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.lastModifiedBy = str(meta["council_name"])
    return wb


CHART_ALT_TEXT = (
    "Line chart of the number of children identified with CCE, CSE, both, and in total, for each financial "
    "year. Years where a count is withheld or not available are gaps in the lines. The figures are in the "
    "table on this worksheet."
)


def add_chart_sheet(ws, q1: Sheet, release: Release) -> None:
    """Q1 as a chart. Its data is a table of published numbers only: a withheld or unavailable count
    is an empty cell, which the chart shows as a gap, never as zero."""
    chart_data = Sheet(
        "Chart_Q1",
        "Chart of Q1: children identified with CCE, CSE or both, by financial year",
        [CHART_ALT_TEXT, "Empty cells in the chart data are withheld [c] or not available [x]: see the Q1 worksheet."],
        [re.sub(r"\s*\[note \d+\]", "", h) for h in q1.headers],
        [[row[0]] + [v if isinstance(v, int) else None for v in row[1:]] for row in q1.rows],
    )
    header_row, last_row = write_table(ws, chart_data, "Chart_Q1_data", len(chart_data.lines) + 2)
    chart = LineChart()
    chart.title = "Children identified, by financial year"
    chart.y_axis.title = "Children"
    chart.x_axis.title = "Financial year"
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.display_blanks = "gap"
    chart.height, chart.width = 9, 18
    chart.add_data(
        Reference(ws, min_col=2, max_col=len(chart_data.headers), min_row=header_row, max_row=last_row),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    for series, symbol in zip(chart.series, ["circle", "square", "triangle", "diamond"], strict=False):
        series.marker.symbol = symbol
        series.smooth = False
    ws.add_chart(chart, f"A{last_row + 2}")


# ---- writing files ------------------------------------------------------------------------------


def normalise_xlsx(path: Path, alt_text: str, modified: dt.datetime) -> None:
    """Byte-identical output: fixed zip timestamps and modified date (openpyxl stamps the time of
    saving), and the chart's alternative text (which openpyxl cannot set) added to the drawing."""
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", data
                )
            if name.startswith("xl/drawings/drawing") and name.endswith(".xml"):
                data = re.sub(
                    rb'(<(?:xdr:)?cNvPr id="\d+" name="[^"]*")',
                    rb'\1 descr="' + escape(alt_text, {'"': "&quot;"}).encode() + b'"',
                    data,
                )
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)


def write_csv(path: Path, headers: list[str], rows: list[list[object]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def remove_abandoned_staging(target: Path) -> None:
    """Remove the staging folders of exports that were killed (their process is gone): a kill -9 cannot
    run the clean-up in export(), and a half-written release must not lie beside the real one."""
    for folder in target.glob(".export-*-*"):
        pid = folder.name.split("-")[1]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # another user's export, still running


def export(db_path: Path, out_dir: Path | None) -> list[Path]:
    print(f"[1/4] reading the release from {db_path}")
    release = read_release(db_path)
    rules = release.rules
    print(
        f"[2/4] disclosure audit of {len(release.cells)} cells "
        f"(threshold {rules.threshold}, protection level {rules.protection_level})"
    )
    report = audit(release.cells, rules)
    if not report.passed:
        raise ExportError(f"no file written: {report.summary()}")
    sheets = build_sheets(release)
    target = out_dir or Path(str(release.metadata["output_dir"]))
    if not target.is_absolute():
        target = PROJECT_DIR / target
    stem = str(release.metadata["file_stem"])
    print(f"[3/4] writing the workbook and CSV files for {release.metadata['foi_reference']}")
    try:
        target.mkdir(parents=True, exist_ok=True)
        remove_abandoned_staging(target)
        staging = Path(tempfile.mkdtemp(prefix=f".export-{os.getpid()}-", dir=target))
    except OSError as error:
        raise ExportError(
            f"no file written: cannot write to {target} ({error.strerror}): "
            "give a writable folder with --out or the release_output_dir var"
        ) from error
    try:
        workbook_path = staging / f"{stem}.xlsx"
        build_workbook(release, sheets).save(workbook_path)
        normalise_xlsx(workbook_path, CHART_ALT_TEXT, release.timestamp)
        for sheet in sheets:
            if sheet.csv_name:
                write_csv(staging / f"{stem}_{sheet.csv_name}.csv", sheet.headers, sheet.rows)
        write_csv(
            staging / f"{stem}_all_cells.csv",
            ["question", "financial_year", "category", "breakdown", "published"],
            [[c.question, c.financial_year, c.category, c.breakdown, c.published] for c in release.cells],
        )
        written = []
        for produced in sorted(staging.iterdir()):
            final = target / produced.name
            os.replace(produced, final)
            written.append(final)
    except OSError as error:
        raise ExportError(f"cannot write the release to {target} ({error.strerror}: {error.filename})") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"[4/4] wrote {len(written)} files to {target}:")
    for path in written:
        print(f"      {path.name}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("FOI_DUCKDB_PATH", DEFAULT_DB)))
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: release_output_dir var)")
    args = parser.parse_args(argv)
    try:
        export(args.db, args.out)
    except ExportError as error:
        print(f"export: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
