"""The private openpyxl API vsplan relies on (areas/openpyxl_private.py) still works: this
fails loudly when an upgrade of openpyxl changes it."""

import datetime
import io

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment

from areas.openpyxl_private import StyledCells, take_cells


def test_styled_cells_appended_as_ready_cells_read_back_as_written():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("UTB")
    ws.append(["header", "row"])  # appended as values, before the sheet takes cells
    wrapped = StyledCells(ws, alignment=Alignment(wrap_text=True, vertical="top"))
    dated = StyledCells(ws, number_format="yyyy-mm-dd")
    take_cells(ws)
    ws.append([wrapped.cell("first"), None, dated.cell(datetime.date(2026, 6, 30))])
    ws.append([None, wrapped.cell("second")])
    out = io.BytesIO()
    wb.save(out)

    sheet = load_workbook(io.BytesIO(out.getvalue()))["UTB"]
    assert [c.value for c in sheet[1]][:2] == ["header", "row"]
    assert sheet["A2"].value == "first" and sheet["A2"].alignment.wrap_text
    assert sheet["A2"].alignment.vertical == "top"
    assert sheet["B2"].value is None
    assert sheet["C2"].value == datetime.datetime(2026, 6, 30)
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["B3"].value == "second" and sheet["B3"].alignment.wrap_text
    assert sheet.max_row == 3
