"""The plan as an Excel workbook, and back.

Export: one summary sheet and one sheet per support area (named by its code),
written by openpyxl in write-only mode from row generators. Every plan field is
there verbatim, links as codes and keys, so that the file can come back. The
caller may add read-only columns (the follow-up adds each area's status) and
the summary sheet's table. Built for editing: key and title come first and stay
in view, columns of codes and choices offer validation lists fed from a hidden
sheet of vsplan's own values, cells may be coloured by value (traffic lights),
and every sheet prints landscape, as wide as the page.

Import: a workbook in the export's layout is read defensively, with openpyxl's
public API only. The file is checked before openpyxl sees it: its size, that it
is a real zip, the unpacked size of its parts, and then every sheet is walked
once with defusedxml (no entities, no external references) to count its rows,
columns, cells and merged ranges, and the shared strings to count their
characters, so that a hostile file is refused before openpyxl opens it (opening
already walks every sheet) and before anything is built. Only the support-area
sheets are read; what a row's read-only columns show is kept apart, so that an edit
of one can be warned of (``edited_read_only``) rather than ignored in silence.
Whatever a row holds, reading never raises: a problem becomes a
:class:`Message` naming sheet, row and column. What the rows mean for the plan
is decided in :mod:`areas.revisions`.
"""

import datetime
import io
import logging
import math
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from defusedxml.ElementTree import parse as parse_xml
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from .models import (
    PRECISION_CHOICES,
    READING_NOTE_CHOICES,
    ActionPlan,
    Department,
    DevelopmentArea,
    ExternalDependency,
    SupportArea,
)
from .openpyxl_private import StyledCells, take_cells

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_MARK = "vsplan-export"
FILTERED_MARK = "filtered"


@dataclass(frozen=True)
class Column:
    """One column of a support area's sheet.

    ``kind`` says how a row's value is written: ``text``, ``list`` (joined with
    commas), ``yes_no``, ``date`` (an ISO date, written as a real date) or
    ``choice`` (a stored value written as its label from ``choices``). A column with
    choices, yes/no or ``codes`` gets a validation list in the export.
    """

    name: str
    label: Promise
    width: int
    imported: bool = True  # read back on import; the others are for reading only
    max_length: int = 10_000
    kind: str = "text"
    choices: tuple = ()
    # The codes a cell takes, offered as a list: "departments", "areas" (the plan's
    # keys) or "external" (external dependencies). Choices and yes/no get a list anyway.
    codes: str = ""
    # Cells coloured by their value: (stored value, fill colour, text colour), e.g. a
    # traffic light's green.
    colours: tuple = ()


COLUMNS = [
    Column("key", gettext_lazy("Key"), 10, max_length=20),
    Column("title", gettext_lazy("Development area"), 40, max_length=2_000),
    Column("group", gettext_lazy("Group"), 22, max_length=300),
    Column("upcoming", gettext_lazy("Upcoming"), 11, max_length=10, kind="yes_no"),
    Column("why", gettext_lazy("Why"), 50),
    Column("desired_effect", gettext_lazy("Desired effect"), 50),
    Column("participating_text", gettext_lazy("Participating departments, as written"), 24),
    Column(
        "participating",
        gettext_lazy("Participating departments (codes)"),
        18,
        max_length=500,
        kind="list",
        codes="departments",
    ),
    Column(
        "responsible",
        gettext_lazy("Responsible department (code)"),
        14,
        max_length=20,
        codes="departments",
    ),
    Column("dependencies_text", gettext_lazy("Dependencies, as written"), 30),
    Column(
        "depends_on",
        gettext_lazy("Depends on areas (keys)"),
        16,
        max_length=2_000,
        kind="list",
        codes="areas",
    ),
    Column(
        "external",
        gettext_lazy("External dependencies (codes)"),
        18,
        max_length=2_000,
        kind="list",
        codes="external",
    ),
    Column("planned_text", gettext_lazy("Planned start/end, as written"), 22, max_length=500),
    Column(
        "form_of_work",
        gettext_lazy("Form of work"),
        14,
        max_length=50,
        kind="choice",
        choices=tuple(DevelopmentArea.FormOfWork.choices),
    ),
    Column("footnote", gettext_lazy("Footnote"), 30),
    Column("planned_start", gettext_lazy("Planned start (read)"), 13, imported=False, kind="date"),
    Column(
        "planned_start_precision",
        gettext_lazy("Precision of start"),
        11,
        imported=False,
        kind="choice",
        choices=tuple(PRECISION_CHOICES),
    ),
    Column("planned_end", gettext_lazy("Planned end (read)"), 13, imported=False, kind="date"),
    Column(
        "planned_end_precision",
        gettext_lazy("Precision of end"),
        11,
        imported=False,
        kind="choice",
        choices=tuple(PRECISION_CHOICES),
    ),
    Column(
        "planned_note",
        gettext_lazy("Reading of the period"),
        26,
        imported=False,
        kind="choice",
        choices=tuple(READING_NOTE_CHOICES),
    ),
]
COLUMN_BY_NAME = {c.name: c for c in COLUMNS}
IMPORTED = [c for c in COLUMNS if c.imported]
LIST_FIELDS = {c.name for c in COLUMNS if c.kind == "list"}
SUMMARY_TITLE = pgettext_lazy("workbook sheet", "Summary")
LISTS_TITLE = pgettext_lazy("workbook sheet", "Lists")
# The key and the title (the first two columns) and the header stay in view.
FROZEN_AT = "C2"
YES, NO = pgettext_lazy("spreadsheet", "yes"), pgettext_lazy("spreadsheet", "no")


# ---------------------------------------------------------------------------
# Rows: the plan as plain values (also what an earlier revision keeps)
# ---------------------------------------------------------------------------


_AREA_FIELDS = {
    "key": "key",
    "support_area": "support_area__code",
    "group": "group__name",
    "upcoming": "upcoming",
    "title": "title",
    "why": "why",
    "desired_effect": "desired_effect",
    "participating_text": "participating_text",
    "responsible": "responsible_department__code",
    "dependencies_text": "dependencies_text",
    "planned_text": "planned_text",
    "form_of_work": "form_of_work",
    "footnote": "footnote",
    "planned_start": "planned_start",
    "planned_start_precision": "planned_start_precision",
    "planned_end": "planned_end",
    "planned_end_precision": "planned_end_precision",
    "planned_note": "planned_note",
}


def _codes_by_area(through, area_column: str, code_column: str, ids) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {}
    links = through.objects.filter(**{f"{area_column}__in": ids}).values_list(
        area_column, code_column
    )
    for area_id, code in links:
        codes.setdefault(area_id, []).append(code)
    return {area_id: sorted(found) for area_id, found in codes.items()}


def plan_rows(areas: QuerySet[DevelopmentArea]) -> list[dict]:
    """Each area as the workbook carries it: plan fields verbatim, links as codes.

    Four queries, whatever the number of areas: the areas, and the three kinds
    of link, read as plain values. Each row also carries ``pk``, the area's id.
    """
    ids = areas.values("pk")
    values = list(
        DevelopmentArea.objects.filter(pk__in=ids)
        .order_by("support_area__order", "order")
        .values("pk", *_AREA_FIELDS.values())
    )
    through = DevelopmentArea.participating_departments.through
    participating = _codes_by_area(through, "developmentarea_id", "department__code", ids)
    through = DevelopmentArea.depends_on.through
    depends_on = _codes_by_area(through, "from_developmentarea_id", "to_developmentarea__key", ids)
    through = DevelopmentArea.external_dependencies.through
    external = _codes_by_area(through, "developmentarea_id", "externaldependency__code", ids)
    rows = []
    for value in values:
        pk = value["pk"]
        row = {name: value[column] for name, column in _AREA_FIELDS.items()}
        start, end = row["planned_start"], row["planned_end"]
        row.update(
            pk=pk,
            group=row["group"] or "",
            responsible=row["responsible"] or "",
            participating=participating.get(pk, []),
            depends_on=depends_on.get(pk, []),
            external=external.get(pk, []),
            planned_start=start.isoformat() if start else "",
            planned_end=end.isoformat() if end else "",
        )
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@")
_HEADER_FONT = Font(name="Calibri", size=11, bold=True)  # the body's font, in bold
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_READ_ONLY_FILL = PatternFill("solid", fgColor="EEEEEE")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOTAL_BORDER = Border(top=Side(style="thin"))
_TITLE_FONT = Font(name="Calibri", size=14, bold=True)
# The summary's first columns (section, support area, sheet) and then its counts.
_SUMMARY_WIDTHS = [22, 34, 8]
_SUMMARY_COUNT_WIDTH = 14


@dataclass
class SummaryTable:
    """The table on the summary sheet: a header, rows of plain values and their total."""

    headers: list[str]
    rows: list[list]
    total: list | None = None


def _choice_label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def cell_value(row: dict, column: Column):
    """What a column's cell shows for a row (a date as a date, a choice as its label)."""
    value = row.get(column.name, "")
    match column.kind:
        case "list":
            return ", ".join(value)
        case "yes_no":
            return str(YES if value else NO)
        case "date":
            return datetime.date.fromisoformat(value) if value else None
        case "choice":
            return _choice_label(column.choices, value)
    return value


def _text_cell(ws, value, make=None) -> WriteOnlyCell:
    """A cell that shows ``value`` (made by ``make``, a ``StyledCells``, if given); text is
    always text, never a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = make.cell(value) if make else WriteOnlyCell(ws, value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"  # openpyxl would otherwise write "=..." as a formula
    return cell


def _header(ws, labels: Iterable[tuple[str, bool]]) -> list[WriteOnlyCell]:
    cells = []
    for label, imported in labels:
        cell = _text_cell(ws, label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL if imported else _READ_ONLY_FILL
        cell.alignment = _WRAP
        cells.append(cell)
    return cells


_LINE_HEIGHT = 15  # points, a line of the default font
_MOST_LINES = 8  # a taller cell is read in the cell itself or the formula bar


def _lines(value, width: int) -> int:
    """About how many lines a wrapped text takes in a column ``width`` characters wide."""
    if not isinstance(value, str):
        return 1
    per_line = max(int(width * 1.15), 1)  # a width counts digits; text runs a little narrower
    if len(value) < per_line and "\n" not in value:
        return 1  # most cells: no need to split
    return sum(len(part) // per_line + 1 for part in value.split("\n"))


def _set_height(ws, row_index: int, lines: int) -> None:
    """Rows as tall as their wrapped text (capped), which not every spreadsheet program
    works out for itself when it opens a file."""
    if lines > 1:
        ws.row_dimensions[row_index].height = min(lines, _MOST_LINES) * _LINE_HEIGHT


def _area_rows(ws, rows: list[dict], columns: list[Column]) -> Iterator[list]:
    wrapped = StyledCells(ws, alignment=_WRAP)
    dated = StyledCells(ws, alignment=_WRAP, number_format="yyyy-mm-dd")
    for row_index, row in enumerate(rows, start=2):
        cells = []
        lines = 1
        for column in columns:
            value = cell_value(row, column)
            if value is None or value == "":
                cells.append(None)  # nothing written: an empty cell needs no style
                continue
            lines = max(lines, _lines(value, column.width))
            cells.append(_text_cell(ws, value, dated if column.kind == "date" else wrapped))
        _set_height(ws, row_index, lines)
        yield cells


def _summary_widths(summary: SummaryTable | None) -> list[int]:
    """The summary's column widths: its labels, then its table's counts (set before any
    row is written: a write-only sheet writes its columns first)."""
    counts = len(summary.headers) - len(_SUMMARY_WIDTHS) if summary else 0
    return [*_SUMMARY_WIDTHS, *[_SUMMARY_COUNT_WIDTH] * max(counts, 0)]


def _summary_rows(
    ws, plan_meta: dict, summary: SummaryTable | None, filters: str
) -> Iterator[list]:
    title = _text_cell(ws, plan_meta["title"])
    title.font = _TITLE_FONT  # one line, running over the empty cells beside it
    ws.row_dimensions[1].height = 20
    yield [title]
    yield [_("Registration number"), _text_cell(ws, plan_meta["registration_number"])]
    yield [_("Revision"), _text_cell(ws, plan_meta["revision"])]
    yield [_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M")]
    yield [
        pgettext("workbook", "Selection"),
        _text_cell(ws, filters) if filters else _("the whole plan"),
    ]
    yield []
    if summary is not None:
        widths = _summary_widths(summary)
        lines = [_lines(str(h), w - 1) for h, w in zip(summary.headers, widths, strict=False)]
        _set_height(ws, 7, max(lines, default=1))  # the table's header, below six rows
        yield _header(ws, [(str(label), True) for label in summary.headers])
        for row in summary.rows:
            yield [_text_cell(ws, value) if isinstance(value, str) else value for value in row]
        if summary.total is not None:
            total = []
            for value in summary.total:
                cell = _text_cell(ws, value)
                cell.font, cell.border = _HEADER_FONT, _TOTAL_BORDER
                total.append(cell)
            yield total
        yield []
    yield [
        _(
            "Edit the development areas on the support areas' sheets and import the workbook "
            "in vsplan as a revised plan. Grey columns are for reading and are not imported. "
            "Leave the key of a new row empty: vsplan gives it one."
        )
    ]


def write_workbook(
    out,
    *,
    plan_meta: dict,
    rows: list[dict],
    columns: list[Column] = COLUMNS,
    summary: SummaryTable | None = None,
    filters: str = "",
    language: str | None = None,
) -> None:
    """Write the plan's rows to ``out`` (a path or a binary file) as an xlsx workbook.

    ``plan_meta`` holds the revision's title, registration number and revision;
    ``columns`` the columns of the support areas' sheets (the plan's, and any
    read-only ones the caller adds); ``summary`` the summary sheet's table;
    ``filters`` describes the filter the rows were chosen by (empty: the whole plan).
    """
    with translation.override(language or translation.get_language()):
        wb = Workbook(write_only=True)
        wb.properties.title = plan_meta["title"][:200]
        wb.properties.subject = f"{plan_meta['registration_number']} {plan_meta['revision']}"
        wb.properties.keywords = f"{EXPORT_MARK}; {FILTERED_MARK}" if filters else EXPORT_MARK
        wb.properties.creator = "vsplan"

        sheet = wb.create_sheet(str(SUMMARY_TITLE))
        for index, width in enumerate(_summary_widths(summary), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        _print_setup(sheet)
        for row in _summary_rows(sheet, plan_meta, summary, filters):
            sheet.append(row)

        lists = _Lists(columns, rows)
        for support_area in SupportArea.objects.all():
            own = [r for r in rows if r["support_area"] == support_area.code]
            ws = wb.create_sheet(sheet_title(support_area.code))
            for index, column in enumerate(columns, start=1):
                ws.column_dimensions[get_column_letter(index)].width = column.width
            ws.freeze_panes = FROZEN_AT
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(own) + 1}"
            _print_setup(ws, title_columns="A:B")
            lists.validate(ws)
            _colour(ws, columns, len(own))
            labels = [str(c.label) for c in columns]
            _set_height(
                ws, 1, max(_lines(t, c.width - 1) for t, c in zip(labels, columns, strict=True))
            )
            ws.append(
                _header(ws, [(label, c.imported) for label, c in zip(labels, columns, strict=True)])
            )
            take_cells(ws)
            for cells in _area_rows(ws, own, columns):
                ws.append(cells)
        lists.write(wb)
        wb.save(out)


# About how many characters of column width one landscape A4 page holds at a readable size
# (some 8 pt): a sheet wider than that is fitted to more pages across, the key and title
# repeated on each, rather than shrunk to one page of 3 pt text.
PRINT_WIDTH_PER_PAGE = 190


def _print_setup(ws, title_columns: str = "") -> None:
    """Landscape A4, fitted to as few pages across as keep the text readable, the header row
    (and the key and title) on every page. Call it once the column widths are set."""
    width = sum(d.width or 8.43 for d in ws.column_dimensions.values())
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    # The summary (no title columns to repeat) stays one page across; an area sheet, whose
    # key and title repeat on every page, takes as many as its columns need.
    pages = math.ceil(width / PRINT_WIDTH_PER_PAGE) if title_columns else 1
    ws.page_setup.fitToWidth = max(1, pages)
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = True
    if title_columns:
        ws.print_title_rows = "1:1"
        ws.print_title_cols = title_columns


def _quoted(text: str) -> str:
    return text.replace('"', '""')


def _colour(ws, columns: list[Column], count: int) -> None:
    """Cells coloured by their value (a traffic light's green, amber, red), as conditional
    formatting, so that an edited cell takes its colour too."""
    last = max(settings.VSPLAN_IMPORT_MAX_ROWS, count) + 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        for value, fill, text in column.colours:
            rule = CellIsRule(
                operator="equal",
                formula=[f'"{_quoted(_choice_label(column.choices, value))}"'],
                fill=PatternFill("solid", fgColor=fill, bgColor=fill),
                font=Font(color=text, bold=True),
            )
            ws.conditional_formatting.add(f"{letter}2:{letter}{last}", rule)


class _Lists:
    """vsplan's own codes and labels on a hidden sheet, and the validation lists that offer
    them: one list a column, over the whole column, each referring to a range of that sheet
    (a list written into the validation itself may hold only 255 characters)."""

    def __init__(self, columns: list[Column], rows: list[dict]) -> None:
        self.columns = columns
        self.values: dict[str, tuple[str, list[str]]] = {}  # name: (header, values)
        self.title = str(LISTS_TITLE)
        for column in columns:
            name = self._name(column)
            if name is None or name in self.values:
                continue
            if column.codes:
                values = self._codes(column.codes, rows)
            elif column.kind == "yes_no":
                values = [str(YES), str(NO)]
            else:
                values = [str(label) for _value, label in column.choices]
            header = {
                "departments": _("Department codes"),
                "areas": _("Development areas' keys"),
                "external": _("External dependencies' codes"),
                "yes_no": pgettext("spreadsheet", "yes/no"),
            }.get(name, str(column.label))
            self.values[name] = (header, values)

    @staticmethod
    def _name(column: Column) -> str | None:
        if column.codes:
            return column.codes
        if column.kind == "yes_no":
            return "yes_no"
        if column.kind == "choice":
            return column.name
        return None

    @staticmethod
    def _codes(codes: str, rows: list[dict]) -> list[str]:
        if codes == "departments":
            return list(Department.objects.order_by("code").values_list("code", flat=True))
        if codes == "external":
            return list(ExternalDependency.objects.order_by("code").values_list("code", flat=True))
        return sorted({row["key"] for row in rows if row["key"]})

    def _reference(self, name: str) -> str:
        position = list(self.values).index(name) + 1
        letter = get_column_letter(position)
        count = len(self.values[name][1])
        return f"'{self.title}'!${letter}$2:${letter}${count + 1}"

    def validate(self, ws) -> None:
        last = settings.VSPLAN_IMPORT_MAX_ROWS + 1
        for index, column in enumerate(self.columns, start=1):
            name = self._name(column)
            if name is None or not self.values[name][1]:
                continue
            letter = get_column_letter(index)
            several = column.kind == "list"
            validation = DataValidation(
                type="list",
                formula1=self._reference(name),
                allow_blank=True,
                # A cell of several codes is not one of the list's: the list offers the
                # codes, the import checks them.
                showErrorMessage=not several,
                showInputMessage=several,
                errorTitle=str(column.label)[:32],
                error=_("Choose a value from the list: vsplan's own codes and values."),
                promptTitle=str(column.label)[:32],
                prompt=_("Separate several codes with commas. The list shows vsplan's codes.")
                if several
                else None,
            )
            validation.add(f"{letter}2:{letter}{last}")
            ws.data_validations.append(validation)

    def write(self, wb) -> None:
        ws = wb.create_sheet(self.title)
        ws.sheet_state = "hidden"
        lists = list(self.values.values())
        for index in range(1, len(lists) + 1):
            ws.column_dimensions[get_column_letter(index)].width = 30
        ws.append([_text_cell(ws, header) for header, _values in lists])
        take_cells(ws)
        longest = max((len(values) for _header, values in lists), default=0)
        for position in range(longest):
            ws.append(
                [
                    _text_cell(ws, values[position]) if position < len(values) else None
                    for _header, values in lists
                ]
            )


def sheet_title(code: str) -> str:
    """The sheet of a support area: its code, as Excel allows a sheet's name to be."""
    return re.sub(r"[\\/*?:\[\]]", "-", code)[:31] or "-"


def plan_meta(plan: ActionPlan) -> dict:
    return {
        "title": plan.title,
        "registration_number": plan.registration_number,
        "revision": plan.revision,
    }


def export_filename(plan: ActionPlan, today: datetime.date) -> str:
    safe = re.sub(r"[^\w.-]+", "-", f"{plan.registration_number}-{plan.revision}").strip("-")
    return f"vsplan-{safe}-{today.isoformat()}.xlsx"


# ---------------------------------------------------------------------------
# Import: read a workbook into rows and messages
# ---------------------------------------------------------------------------


class ImportRejected(Exception):
    """The file as a whole cannot be read; the message says why, in plain language."""


@dataclass(frozen=True)
class Message:
    sheet: str
    row: int | None
    column: str
    text: str

    def __str__(self) -> str:
        where = [_("sheet %(sheet)s") % {"sheet": self.sheet}] if self.sheet else []
        if self.row:
            where.append(_("row %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("column “%(column)s”") % {"column": self.column})
        return f"{', '.join(where)}: {self.text}" if where else self.text

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "text": self.text}


@dataclass
class ReadResult:
    rows: list[dict] = field(default_factory=list)  # values + "sheet", "row"
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    # What the read-only columns of each row with a key show: "sheet", "row", "key",
    # "values" ({column name: text}); compared with vsplan by ``edited_read_only``.
    read_only: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Limits:
    """What vsplan reads of a workbook at most (settings ``VSPLAN_IMPORT_MAX_*``)."""

    bytes: int
    unpacked_bytes: int
    rows: int
    characters: int
    # Columns a row may use: the export's, and room for a few the user adds.
    columns: int = len(COLUMNS) + 60
    merged_ranges: int = 10_000

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            bytes=settings.VSPLAN_IMPORT_MAX_BYTES,
            unpacked_bytes=settings.VSPLAN_IMPORT_MAX_UNCOMPRESSED_BYTES,
            rows=settings.VSPLAN_IMPORT_MAX_ROWS,
            characters=settings.VSPLAN_IMPORT_MAX_CHARACTERS,
        )


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_archive(data: bytes, limits: Limits) -> None:
    """Refuse what is not a plausible xlsx before openpyxl parses anything."""
    if len(data) > limits.bytes:
        raise ImportRejected(
            _("The file is larger than %(limit)s; vsplan reads workbooks up to that size.")
            % {"limit": _mib(limits.bytes)}
        )
    not_xlsx = _(
        "This is not an Excel workbook (.xlsx). Save the file as “Excel workbook” and try again."
    )
    if not data.startswith(b"PK"):
        raise ImportRejected(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise ImportRejected(
            _("The file is damaged: it could not be opened as a workbook (%(error)s).")
            % {"error": error}
        ) from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportRejected(not_xlsx)
    if len(members) > 1_000 or sum(m.file_size for m in members) > limits.unpacked_bytes:
        raise ImportRejected(
            _(
                "The workbook unpacks to more than %(limit)s, far more than a plan needs; "
                "vsplan does not read it."
            )
            % {"limit": _mib(limits.unpacked_bytes)}
        )


# The OOXML namespaces the workbook's parts use.
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's title and the part (file in the archive) that holds it."""
    with archive.open("xl/workbook.xml") as source:
        workbook = parse_xml(source).getroot()
    try:
        with archive.open("xl/_rels/workbook.xml.rels") as source:
            relations = parse_xml(source).getroot()
    except KeyError:
        return {}
    targets = {
        r.get("Id"): r.get("Target", "") for r in relations.iter(f"{_PACKAGE_REL}Relationship")
    }
    parts = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        parts[sheet.get("name", "")] = posixpath.normpath(path)
    return parts


@dataclass
class SheetShape:
    rows: int = 0  # the highest row used, by a cell or a merged range
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # clipped ranges


def _cell_column(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return column


def _sheet_shape(archive: zipfile.ZipFile, title: str, part: str, limits: Limits, rows_left: int):
    """Walk a sheet's XML once, before openpyxl does, and refuse it past the limits.

    Counts rows, the columns each row uses and the merged ranges, as merged ranges
    would expand; no cell value is kept.
    """
    shape = SheetShape()
    expanded = cells_in_row = 0
    try:
        source = archive.open(part)
    except KeyError:
        raise ImportRejected(
            _("The workbook is damaged: sheet %(sheet)s is missing from the file.")
            % {"sheet": title}
        ) from None
    too_many_rows = _(
        "Sheet %(sheet)s has more than %(max)d rows (merged cells counted as the rows they "
        "cover); vsplan reads at most %(max)d."
    ) % {"sheet": title, "max": limits.rows}
    with source:
        for _event, element in iterparse(source, events=("end",)):
            tag = element.tag
            if tag == f"{_MAIN}c":
                cells_in_row += 1
                reference = element.get("r", "")
                if cells_in_row > limits.columns or (
                    reference and _cell_column(reference) > limits.columns
                ):
                    raise ImportRejected(
                        _(
                            "Sheet %(sheet)s has cells beyond column %(column)s; vsplan's "
                            "sheets have %(count)d columns. Delete the columns to the right "
                            "of them and try again."
                        )
                        % {
                            "sheet": title,
                            "column": get_column_letter(limits.columns),
                            "count": len(COLUMNS),
                        }
                    )
            elif tag == f"{_MAIN}row":
                number = int(element.get("r") or shape.rows + 1)
                shape.rows = max(shape.rows, number)
                if shape.rows > rows_left + 1:
                    raise ImportRejected(too_many_rows)
                element.clear()  # a row's cells are not needed once counted
                cells_in_row = 0
            elif tag == f"{_MAIN}mergeCell":
                if len(shape.merged) >= limits.merged_ranges:
                    raise ImportRejected(
                        _("Sheet %(sheet)s has more than %(max)d merged ranges.")
                        % {"sheet": title, "max": limits.merged_ranges}
                    )
                try:
                    min_col, min_row, max_col, max_row = range_boundaries(element.get("ref", ""))
                except (TypeError, ValueError):
                    continue
                if None in (min_col, min_row, max_col, max_row):
                    continue
                if max_row > rows_left + 1:
                    raise ImportRejected(too_many_rows)
                max_col = min(max_col, limits.columns)
                if min_col > max_col:
                    continue
                expanded += (max_row - min_row + 1) * (max_col - min_col + 1)
                if expanded > (rows_left + 1) * limits.columns:
                    raise ImportRejected(too_many_rows)
                shape.rows = max(shape.rows, max_row)
                shape.merged.append((min_col, min_row, max_col, max_row))
    return shape


def _plain(value, data_type: str) -> tuple[str, str | None]:
    """A cell's value as text, or an error message for values a plan cannot hold."""
    if value is None:
        return "", None
    if data_type == "f":
        return "", _("holds a formula; type the value itself (formulas are not imported).")
    if data_type == "e":
        return "", _("holds the error value %(value)s.") % {"value": value}
    if isinstance(value, bool):
        return ("yes" if value else "no"), None
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), None
    if isinstance(value, datetime.datetime):
        return (value.date().isoformat() if value.time() == datetime.time() else str(value)), None
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta | int | float):
        return str(value), None
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", text).strip(), None


def header_labels(column: Column) -> set[str]:
    """The header a column may carry: its label in either language."""
    labels = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            labels.add(str(column.label).strip().casefold())
    return labels


class _CharacterBudget:
    """Counts the characters read (merged cells as many times as they show) against the limit."""

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.limit = limit

    def spend(self, value) -> None:
        if isinstance(value, str):
            self.left -= len(value)
            if self.left < 0:
                raise ImportRejected(
                    _(
                        "The workbook holds more than %(max)d characters of text (merged cells "
                        "counted as often as they show); far more than a plan needs."
                    )
                    % {"max": self.limit}
                )


def _sheet_cells(ws, shape: SheetShape, limits: Limits, budget: _CharacterBudget):
    """The sheet's cells as {row: {column: (value, data_type)}}, merged ranges filled in."""
    cells: dict[int, dict[int, tuple]] = {}
    ws.reset_dimensions()  # the file's own claim of its size is not trusted
    rows = ws.iter_rows(max_row=shape.rows, max_col=limits.columns)
    for index, row in enumerate(rows, start=1):  # missing rows come as empty ones
        values = {}
        for cell in row:
            if cell.value is None:
                continue
            budget.spend(cell.value)
            values[cell.column] = (cell.value, cell.data_type)
        if values:
            cells[index] = values
    for min_col, min_row, max_col, max_row in shape.merged:
        top_left = cells.get(min_row, {}).get(min_col)
        if top_left is None:
            continue
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    budget.spend(top_left[0])
                    cells.setdefault(r, {})[c] = top_left
    return cells


def _unreadable(error: Exception) -> ImportRejected:
    """The message for a workbook that could not be read, naming an XML attack as such."""
    logger.info("workbook rejected: %r", error)
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return ImportRejected(
                _(
                    "The workbook declares XML entities or a document type, which workbooks "
                    "never need and vsplan never reads (it is a known attack on XML readers)."
                )
            )
        cause = cause.__cause__ or cause.__context__
    return ImportRejected(
        _("The workbook could not be read (%(error)s). Save it again as .xlsx and retry.")
        % {"error": type(error).__name__}
    )


def read_workbook(data: bytes, *, read_only_columns: Iterable[Column] = ()) -> ReadResult:
    """Read a workbook in the export's layout; file-level problems raise ImportRejected.

    ``read_only_columns``: columns a caller's export adds for reading; they are
    known (no warning) and not read.
    """
    limits = Limits.from_settings()
    check_archive(data, limits)
    codes = {sheet_title(sa.code): sa.code for sa in SupportArea.objects.all()}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # Every sheet and the shared strings are measured before openpyxl opens the
            # file: opening it already walks each sheet (for its size) and reads every
            # shared string.
            shapes = _measure_sheets(archive, _sheet_parts(archive), codes, limits)
            _check_shared_strings(archive, limits)
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        try:
            return _read_sheets(wb, shapes, codes, limits, [*COLUMNS, *read_only_columns])
        finally:
            wb.close()
    except ImportRejected:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of a hostile file is a clear "no"
        raise _unreadable(error) from None


def _measure_sheets(
    archive: zipfile.ZipFile, parts: dict[str, str], codes: dict[str, str], limits: Limits
) -> dict[str, SheetShape]:
    """Each sheet's shape, refusing any sheet past the limits: the support areas' sheets
    share the row limit, any other sheet (the summary, one the user added) has it alone."""
    shapes = {}
    rows_left = limits.rows
    for title, part in parts.items():
        if title in codes:
            shape = _sheet_shape(archive, title, part, limits, rows_left)
            rows_left -= max(shape.rows - 1, 0)
        else:
            shape = _sheet_shape(archive, title, part, limits, limits.rows)
        shapes[title] = shape
    return shapes


def _check_shared_strings(archive: zipfile.ZipFile, limits: Limits) -> None:
    """The shared strings (which openpyxl reads whole) within the character limit."""
    try:
        source = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return
    left = limits.characters
    with source:
        for _event, element in iterparse(source, events=("end",)):
            if element.tag == f"{_MAIN}t":
                left -= len(element.text or "")
            elif element.tag == f"{_MAIN}si":
                left -= 1
                element.clear()
            if left < 0:
                raise ImportRejected(
                    _(
                        "The workbook holds more than %(max)d characters of text (merged cells "
                        "counted as often as they show); far more than a plan needs."
                    )
                    % {"max": limits.characters}
                )


def _read_sheets(
    wb,
    shapes: dict,
    codes: dict,
    limits: Limits,
    columns: list[Column],
    *,
    other_sheets: Iterable[str] = (),
    budget: "_CharacterBudget | None" = None,
) -> ReadResult:
    """The support areas' sheets (``codes``: sheet title to support area code) as rows;
    ``other_sheets`` are read by the caller (a starting workbook's reference sheets)."""
    result = ReadResult()
    keywords = (wb.properties.keywords or "") if wb.properties else ""
    if FILTERED_MARK in keywords and EXPORT_MARK in keywords:
        raise ImportRejected(
            _(
                "This workbook is a filtered export: importing it would remove every area the "
                "filter left out. Export the whole plan, edit that, and import it."
            )
        )
    summary_titles = set(other_sheets)  # the summary and the lists: the export's, not read
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            summary_titles.update((str(SUMMARY_TITLE), str(LISTS_TITLE)))
    wanted = {c.name: header_labels(c) for c in columns}
    budget = budget or _CharacterBudget(limits.characters)
    seen = set()
    for title in wb.sheetnames:
        if title in summary_titles:
            continue
        if title not in codes:
            result.warnings.append(
                Message(title, None, "", _("not a support area's sheet; it was not read."))
            )
            continue
        seen.add(title)
        shape = shapes.get(title)
        if shape is None:  # openpyxl found a sheet the workbook's own list does not name
            raise ImportRejected(
                _("The workbook is damaged: sheet %(sheet)s is missing from the file.")
                % {"sheet": title}
            )
        cells = _sheet_cells(wb[title], shape, limits, budget)
        _read_sheet(codes[title], title, cells, wanted, result)
    for title in codes:
        if title not in seen:
            result.errors.append(
                Message(
                    title,
                    None,
                    "",
                    _(
                        "the sheet is missing. Every support area needs its sheet, with only "
                        "the header row if none of its areas remain."
                    ),
                )
            )
    return result


def _read_sheet(
    code: str, title: str, cells: dict, wanted: dict[str, set[str]], result: ReadResult
) -> None:
    header = cells.get(1, {})
    positions: dict[str, int] = {}
    for position, (value, data_type) in sorted(header.items()):
        text, _problem = _plain(value, data_type)
        name = next((n for n, labels in wanted.items() if text.casefold() in labels), None)
        if name is None:
            if text:
                result.warnings.append(
                    Message(title, 1, text, _("not a column vsplan knows; it was not read."))
                )
            continue
        if name in positions:
            result.errors.append(
                Message(title, 1, text, _("the column appears twice; keep one of them."))
            )
            continue
        positions[name] = position
    missing = [c for c in IMPORTED if c.name not in positions]
    for column in missing:
        result.errors.append(
            Message(title, 1, str(column.label), _("the column is missing from the header row."))
        )
    if missing:
        return
    imported_names = {c.name for c in IMPORTED}
    for index in sorted(cells):
        if index == 1:
            continue
        row_cells = cells[index]
        record = {"sheet": title, "row": index, "support_area": code}
        problems = []
        for column in IMPORTED:
            value, data_type = row_cells.get(positions[column.name], (None, "n"))
            text, problem = _plain(value, data_type)
            if problem:
                problems.append(Message(title, index, str(column.label), problem))
            elif len(text) > column.max_length:
                problems.append(
                    Message(
                        title,
                        index,
                        str(column.label),
                        _("%(length)d characters; at most %(max)d fit.")
                        % {"length": len(text), "max": column.max_length},
                    )
                )
                text = ""
            record[column.name] = text
        if not any(record[c.name] for c in IMPORTED) and not problems:
            continue  # an empty row
        result.errors.extend(problems)
        result.rows.append(record)
        if record["key"]:
            shown = {
                name: _plain(*row_cells.get(position, (None, "n")))[0]
                for name, position in positions.items()
                if name not in imported_names
            }
            result.read_only.append(
                {"sheet": title, "row": index, "key": record["key"], "values": shown}
            )


def _shown(value) -> str:
    """A cell's value as the import reads it back (a date as its ISO date)."""
    return value.isoformat() if isinstance(value, datetime.date) else str(value or "").strip()


def edited_read_only(
    result: ReadResult, current: list[dict], columns: list[Column]
) -> list[Message]:
    """A warning for each read-only cell that differs from what vsplan shows for its area
    (``current``: the rows as the export writes them), in either language. Those cells are
    not imported; the warning says so rather than ignoring the edit in silence."""
    by_key = {row["key"]: row for row in current}
    by_name = {c.name: c for c in columns if not c.imported}
    cells = [
        (entry, by_key[entry["key"]], by_name[name], text)
        for entry in result.read_only
        if entry["key"] in by_key
        for name, text in entry["values"].items()
        if name in by_name
    ]
    accepted: list[set[str]] = [set() for _cell in cells]
    for language, _name in settings.LANGUAGES:  # one switch of language each, not one a cell
        with translation.override(language):
            for texts, (_entry, row, column, _text) in zip(accepted, cells, strict=True):
                texts.add(_shown(cell_value(row, column)).casefold())
    warnings = []
    for texts, (entry, row, column, text) in zip(accepted, cells, strict=True):
        if text.casefold() in texts:
            continue
        old = _shown(cell_value(row, column))
        warnings.append(
            Message(
                entry["sheet"],
                entry["row"],
                str(column.label),
                _(
                    "%(key)s: “%(old)s” → “%(new)s” was not imported. The column is for "
                    "reading only; vsplan keeps “%(old)s”."
                )
                % {"key": entry["key"], "old": old, "new": text},
            )
        )
    return warnings
