"""`make bench`: time dbt build against one DuckDB query (the floor) and a pandas script (the peer).

Sizes: the default data, --scale 10, --scale 50 and a national extract (generated once into build/bench/).
Writes docs/benchmarks.md. The code is foi_exploitation.bench. Run with --help.
"""

from __future__ import annotations

import sys
from pathlib import Path

from foi_exploitation.bench.run import main

if __name__ == "__main__":
    sys.exit(main(["--project", str(Path(__file__).resolve().parent.parent), *sys.argv[1:]]))
