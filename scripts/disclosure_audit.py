"""Audit the built release and report what disclosure control costs (`make cost`).

A thin command line over foi_exploitation.cost: see `python scripts/disclosure_audit.py --help`.
"""

import sys

from foi_exploitation.cost import main

if __name__ == "__main__":
    sys.exit(main())
