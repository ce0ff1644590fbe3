#!/usr/bin/env python
"""Every benchmark in one go; each prints its own table.

    .venv/bin/python bench/run_all.py [--no-load]

pages.py (server time and queries of the main pages against a floor, 72 and
7,200 areas), dashboard.py, cycle_overview.py, excel.py, pdf.py and load.py
(20 clients for 60 s against gunicorn with PostgreSQL; needs the local
PostgreSQL, skipped with --no-load). Results go in docs/performance.md.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["pages.py", "dashboard.py", "cycle_overview.py", "excel.py", "pdf.py", "load.py"]


def main() -> int:
    failed = []
    for bench in BENCHES:
        if bench == "load.py" and "--no-load" in sys.argv:
            continue
        print(f"\n=== {bench}", flush=True)
        result = subprocess.run([sys.executable, str(HERE / bench)], cwd=HERE.parent, check=False)
        if result.returncode:
            failed.append(bench)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
