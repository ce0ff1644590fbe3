"""Workbooks for the Excel tests: exported by vsplan, then edited as a spreadsheet program would."""

import io

from django.utils import timezone
from openpyxl import load_workbook

from areas.excel import COLUMNS, plan_meta, plan_rows, write_workbook
from areas.models import ActionPlan


def exported(language: str = "sv") -> bytes:
    plan = ActionPlan.objects.get(is_current=True)
    buffer = io.BytesIO()
    rows = plan_rows(plan.areas.all(), timezone.localdate())
    write_workbook(buffer, plan_meta=plan_meta(plan), rows=rows, language=language)
    return buffer.getvalue()


def column_index(name: str) -> int:
    return [c.name for c in COLUMNS].index(name) + 1


def edited(data: bytes, edit) -> bytes:
    """Open the workbook in full (editing) mode, let ``edit(wb)`` change it, save it again."""
    wb = load_workbook(io.BytesIO(data))
    edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def find_row(ws, key: str) -> int:
    for row in range(2, ws.max_row + 1):
        if ws.cell(row, 1).value == key:
            return row
    raise AssertionError(f"{key} is not on sheet {ws.title}")
