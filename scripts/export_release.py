"""Write the release: an accessible Excel workbook, CSV files and their metadata, from the built database.

Everything comes from one `dbt build` (foi_release, foi_release_metadata and the council's Q2-Q4 seeds);
the disclosure audit runs first, and if any [c] cell can be narrowed no file is written. The files go to
<release_output_dir>/<FOI reference>_<extract date>/. The same database always gives byte-identical files.

    python scripts/export_release.py                  # FOI_DUCKDB_PATH, or build/foi.duckdb
    python scripts/export_release.py --out /tmp/release
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from foi_exploitation.release.data import ExportError
from foi_exploitation.release.export import export

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_DIR / "build" / "foi.duckdb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("FOI_DUCKDB_PATH", DEFAULT_DB)))
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: release_output_dir var)")
    parser.add_argument(
        "--register", type=Path, default=None, help="register of releases (default: release_register_dir var)"
    )
    parser.add_argument(
        "--private", type=Path, default=None, help="per-child states of releases (default: release_private_dir var)"
    )
    args = parser.parse_args(argv)
    try:
        export(args.db.resolve(), args.out, PROJECT_DIR, register=args.register, private=args.private)
    except ExportError as error:
        print(f"export: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
