#!/usr/bin/env python
"""Excel export and import of the plan next to openpyxl doing the same with no app code.

    .venv/bin/python bench/excel.py [--runs N]

At the KTH plan's size (72 areas) and at 100× (7,200 areas, generated), measures:

* export: the app's plan_rows + write_workbook, against openpyxl's write-only
  mode writing the same cell values to the same sheets (the floor);
* import: the app's read_workbook + build_change_set (every row validated and
  compared with the plan), against openpyxl's read-only mode reading every
  cell of the same file (the floor);
* applying a change set of three edited cells and one new row (no floor). At
  100× this also renumbers every generated area (the generator leaves gaps in
  their order), so it is the worst case: every row of the plan rewritten.

Goals (issue 6): export ≤ 2× the floor, import with validation ≤ 3×.
Each figure is the best of N runs (default 3).
"""

import io
import sys
import time

from _setup import grow, with_test_database

RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3


def best(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(size_label: str) -> dict:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from openpyxl import Workbook, load_workbook

    from areas.excel import cell_value, read_workbook
    from areas.models import ActionPlan, SupportArea
    from areas.revisions import build_change_set
    from followup.workbook import (
        STATUS_COLUMNS,
        WORKBOOK_COLUMNS,
        export_workbook,
        rows_with_status,
    )

    plan = ActionPlan.objects.get(is_current=True)
    today = timezone.localdate()

    def app_export() -> bytes:
        out = io.BytesIO()
        export_workbook(out, plan, plan.areas.all(), as_of=today)
        return out.getvalue()

    data = app_export()
    rows = rows_with_status(plan.areas.all(), today)
    codes = list(SupportArea.objects.values_list("code", flat=True))
    values = {
        code: [
            [cell_value(r, c) or None for c in WORKBOOK_COLUMNS]
            for r in rows
            if r["support_area"] == code
        ]
        for code in codes
    }
    header = [str(c.label) for c in WORKBOOK_COLUMNS]

    def floor_export() -> None:
        wb = Workbook(write_only=True)
        wb.create_sheet("Summary").append(["x"])
        for code in codes:
            ws = wb.create_sheet(code)
            ws.append(header)
            for row in values[code]:
                ws.append(row)
        wb.save(io.BytesIO())

    def app_import() -> None:
        result = read_workbook(data, read_only_columns=STATUS_COLUMNS)
        change_set = build_change_set(result.rows, plan, (result.errors, result.warnings))
        assert not change_set.has_changes and not change_set.errors, change_set.as_dict()

    def floor_import() -> None:
        wb = load_workbook(io.BytesIO(data), read_only=True)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
        wb.close()

    reset_queries()
    with CaptureQueriesContext(connection) as export_queries:
        app_export()
    with CaptureQueriesContext(connection) as import_queries:
        app_import()
    result = {
        "size": size_label,
        "areas": len(rows),
        "kb": len(data) // 1024,
        "export": best(app_export),
        "export_floor": best(floor_export),
        "import": best(app_import),
        "import_floor": best(floor_import),
        "export_queries": len(export_queries),
        "import_queries": len(import_queries),
    }
    result["apply"] = apply_once(data)
    return result


def apply_once(data: bytes) -> float:
    """Three edited cells and a new row, applied as a revision (inside a rolled-back atomic)."""
    from django.db import transaction
    from openpyxl import load_workbook

    from areas.excel import read_workbook
    from followup.services import plan_revise
    from followup.workbook import STATUS_COLUMNS

    from followup.workbook import WORKBOOK_COLUMNS

    position = {c.name: index for index, c in enumerate(WORKBOOK_COLUMNS, start=1)}
    wb = load_workbook(io.BytesIO(data))
    ws = wb["UTB"]
    ws.cell(2, position["title"]).value = "Ändrad rubrik"
    ws.cell(3, position["why"]).value = "Ändrad motivering"
    wb["FOI"].cell(2, position["planned_text"]).value = "2025-2027"
    new_row = [None] * len(WORKBOOK_COLUMNS)
    new_row[position["title"] - 1], new_row[position["upcoming"] - 1] = "Nytt område", "nej"
    wb["HR"].append(new_row)
    out = io.BytesIO()
    wb.save(out)
    edited = out.getvalue()
    start = time.perf_counter()
    with transaction.atomic():
        result = read_workbook(edited, read_only_columns=STATUS_COLUMNS)
        plan_revise(records=result.rows, read_errors=result.errors, user=None,
                       revision="bench", registration_number="bench")  # fmt: skip
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds


def main() -> None:
    from django.core.management import call_command

    call_command("loaddata", "kth_plan", verbosity=0)
    results = [measure("1×")]
    grow(100)
    results.append(measure("100×"))
    print(f"Excel round trip, best of {RUNS} runs (seconds)\n")
    print(f"{'size':>5} {'areas':>6} {'kB':>6} | {'export':>7} {'floor':>7} {'ratio':>6} | "
          f"{'import':>7} {'floor':>7} {'ratio':>6} | {'apply':>6} | queries exp/imp")  # fmt: skip
    for r in results:
        print(
            f"{r['size']:>5} {r['areas']:>6} {r['kb']:>6} | {r['export']:7.3f} "
            f"{r['export_floor']:7.3f} {r['export'] / r['export_floor']:6.2f} | "
            f"{r['import']:7.3f} {r['import_floor']:7.3f} {r['import'] / r['import_floor']:6.2f} | "
            f"{r['apply']:6.2f} | {r['export_queries']}/{r['import_queries']}"
        )
    print("\nGoals: export ratio ≤ 2, import ratio ≤ 3.")


if __name__ == "__main__":
    with_test_database(main)
