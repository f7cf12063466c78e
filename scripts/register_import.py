"""Register a release made before the register existed, from its published all_cells.csv.

    python scripts/register_import.py old/foi_4000_all_cells.csv --foi-reference "FOI 4000" \\
        --extract-date 2024-06-30 --released-on 2024-07-19 --age-group-starts 0,10,13,16 \\
        --first-financial-year 2019 --last-financial-year 2023
"""

import sys

from foi_exploitation.register import main

if __name__ == "__main__":
    sys.exit(main())
