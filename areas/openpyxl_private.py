"""The one place vsplan reaches into openpyxl's private API, because it was measured to be
worth it (docs/performance.md, Excel).

Writing the plan's sheets cell by cell through the public API costs about 1.9 times what
openpyxl takes for the bare values, at 100 times the KTH plan (180,000 cells): each cell's
style is looked up and copied by name, and ``append`` first tries every cell as a value
and only takes it as a cell after the exception. These two helpers do the same with
openpyxl's own pieces, for about 1.25 times the bare values:

* ``StyledCells`` copies a cell's ready style array (``cell._style``) to each new cell;
* ``take_cells`` makes a sheet's ``append`` take ready cells with openpyxl's own writer,
  without the value-first try (it replaces the sheet's ``_values_to_row``).

openpyxl is pinned (pyproject.toml); ``tests/areas/test_openpyxl_private.py`` writes and
reads back a sheet through these helpers and fails loudly if an upgrade of openpyxl
changes what they rely on.
"""

from collections.abc import Iterable, Iterator
from copy import copy
from functools import partial

from openpyxl.cell import WriteOnlyCell


class StyledCells:
    """New write-only cells that share one style, set once on a template cell."""

    def __init__(self, ws, **style) -> None:
        template = WriteOnlyCell(ws)
        for name, value in style.items():
            setattr(template, name, value)  # the public API, once
        self._ws, self._style = ws, template._style

    def cell(self, value) -> WriteOnlyCell:
        cell = WriteOnlyCell(self._ws, value)
        cell._style = copy(self._style)
        return cell


def _cells_to_row(ws, cells: Iterable, row_index: int) -> Iterator[WriteOnlyCell]:
    for column_index, cell in enumerate(cells, start=1):
        if cell is not None:
            cell.column, cell.row = column_index, row_index
            yield cell


def take_cells(ws) -> None:
    """From now on ``ws.append`` takes a row of ready cells (or None for an empty cell)."""
    ws._values_to_row = partial(_cells_to_row, ws)
