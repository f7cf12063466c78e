"""Write a synthetic case-management extract (docs/extract-contract.md): the committed default by default.

The generator is foi_exploitation.generator (one council's rows) and foi_exploitation.extract_files
(layouts, formats, workers); this command adds the project's configured dates. Run with --help.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import yaml

from foi_exploitation import extract_files

PROJECT_DIR = Path(__file__).resolve().parent.parent


def project_defaults() -> dict[str, object]:
    """The output folder and the dates the models are configured with, so the two always agree."""
    with open(PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as handle:
        config = yaml.safe_load(handle)["vars"]
    return {
        "out": PROJECT_DIR / str(config["default_extract_dir"]),
        "extract_date": dt.date.fromisoformat(str(config["extract_date"])),
        "cce_start": dt.date.fromisoformat(str(config["cce_recording_start_date"])),
    }


def main(argv: list[str] | None = None) -> int:
    return extract_files.main(argv, project_defaults())


if __name__ == "__main__":
    sys.exit(main())
