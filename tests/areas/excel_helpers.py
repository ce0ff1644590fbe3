"""Workbooks for the Excel tests: exported by vsplan, then edited as a spreadsheet program would."""

import io

from django.utils import timezone
from openpyxl import load_workbook

from areas.excel import read_workbook
from areas.models import ActionPlan
from followup.workbook import STATUS_COLUMNS, WORKBOOK_COLUMNS, export_workbook


def exported(language: str = "sv") -> bytes:
    """The plan as the export gives it to its users (with each area's status)."""
    plan = ActionPlan.objects.get(is_current=True)
    buffer = io.BytesIO()
    export_workbook(buffer, plan, plan.areas.all(), as_of=timezone.localdate(), language=language)
    return buffer.getvalue()


def column_index(name: str) -> int:
    return [c.name for c in WORKBOOK_COLUMNS].index(name) + 1


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


def read(data: bytes):
    """A workbook read as the import page reads it (the export's status columns known)."""
    return read_workbook(data, read_only_columns=STATUS_COLUMNS)
