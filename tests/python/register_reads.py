"""What the register tests read back: a registered release's published cells, and a built database's
children by year and recorded years."""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import query


def published_cells(folder: Path) -> list[dict]:
    with open(folder / "cells.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def child_years(db_path: Path) -> list[tuple]:
    return query(
        db_path,
        "select child_id, financial_year, sex, is_cse, is_cce, age_years from intermediate.int_children_identified_by_year "
        "where is_cse or is_cce",
    )


def recorded(db_path: Path) -> dict[str, bool]:
    return dict(query(db_path, "select financial_year, is_cce_recorded from intermediate.int_financial_years"))
