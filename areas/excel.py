"""The plan as an Excel workbook, and back.

Export: one summary sheet and one sheet per support area (named by its code),
written by openpyxl in write-only mode from row generators. Every plan field is
there verbatim, links as codes and keys, so that the file can come back.

Import: a workbook in the export's layout is read defensively. The file is
checked before openpyxl sees it (size, a real zip, the uncompressed size of its
parts), XML is parsed by defusedxml, only the support-area sheets are read, and
at most ``VSPLAN_IMPORT_MAX_ROWS`` rows. Whatever a row holds, reading never
raises: a problem becomes a :class:`Message` naming sheet, row and column. What
the rows mean for the plan is decided in :mod:`areas.revisions`.
"""

import datetime
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass, field
from functools import partial
from types import SimpleNamespace

from defusedxml import DefusedXmlException
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet._reader import WorkSheetParser

from followup.models import Status, TrafficLight
from followup.selectors import is_late, latest_status_by_area

from .models import (
    PRECISION_CHOICES,
    READING_NOTE_CHOICES,
    ActionPlan,
    DevelopmentArea,
    SupportArea,
)

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_MARK = "vsplan-export"
FILTERED_MARK = "filtered"


@dataclass(frozen=True)
class Column:
    name: str
    label: Promise
    width: int
    imported: bool = True  # read back on import; the others are for reading only
    max_length: int = 10_000


COLUMNS = [
    Column("key", gettext_lazy("Key"), 10, max_length=20),
    Column("group", gettext_lazy("Group"), 22, max_length=300),
    Column("upcoming", gettext_lazy("Upcoming"), 11, max_length=10),
    Column("title", gettext_lazy("Development area"), 40, max_length=2_000),
    Column("why", gettext_lazy("Why"), 50),
    Column("desired_effect", gettext_lazy("Desired effect"), 50),
    Column("participating_text", gettext_lazy("Participating departments, as written"), 24),
    Column("participating", gettext_lazy("Participating departments (codes)"), 18, max_length=500),
    Column("responsible", gettext_lazy("Responsible department (code)"), 14, max_length=20),
    Column("dependencies_text", gettext_lazy("Dependencies, as written"), 30),
    Column("depends_on", gettext_lazy("Depends on areas (keys)"), 16, max_length=2_000),
    Column("external", gettext_lazy("External dependencies (codes)"), 18, max_length=2_000),
    Column("planned_text", gettext_lazy("Planned start/end, as written"), 22, max_length=500),
    Column("form_of_work", gettext_lazy("Form of work"), 14, max_length=50),
    Column("footnote", gettext_lazy("Footnote"), 30),
    Column("planned_start", gettext_lazy("Planned start (read)"), 13, imported=False),
    Column("planned_start_precision", gettext_lazy("Precision of start"), 11, imported=False),
    Column("planned_end", gettext_lazy("Planned end (read)"), 13, imported=False),
    Column("planned_end_precision", gettext_lazy("Precision of end"), 11, imported=False),
    Column("planned_note", gettext_lazy("Reading of the period"), 26, imported=False),
    Column("status", gettext_lazy("Current status"), 14, imported=False),
    Column("traffic_light", gettext_lazy("Traffic light"), 16, imported=False),
    Column("late", gettext_lazy("Late"), 8, imported=False),
    Column("last_update", gettext_lazy("Last update"), 13, imported=False),
    Column("signed_by", gettext_lazy("Signed by"), 18, imported=False),
]
COLUMN_BY_NAME = {c.name: c for c in COLUMNS}
IMPORTED = [c for c in COLUMNS if c.imported]
LIST_FIELDS = {"participating", "depends_on", "external"}
SUMMARY_TITLE = pgettext_lazy("workbook sheet", "Summary")
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


def plan_rows(areas: QuerySet[DevelopmentArea], today: datetime.date) -> list[dict]:
    """Each area as the workbook carries it: plan fields verbatim, links as codes.

    Five queries, whatever the number of areas: the areas, their latest status
    (with its author), and the three kinds of link, read as plain values.
    """
    ids = areas.values("pk")
    values = list(
        DevelopmentArea.objects.filter(pk__in=ids)
        .order_by("support_area__order", "order")
        .values("pk", *_AREA_FIELDS.values())
    )
    latest = latest_status_by_area(DevelopmentArea.objects.filter(pk__in=ids))
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
        update = latest.get(pk)
        end = row["planned_end"]
        row.update(
            group=row["group"] or "",
            responsible=row["responsible"] or "",
            participating=participating.get(pk, []),
            depends_on=depends_on.get(pk, []),
            external=external.get(pk, []),
            planned_start=row["planned_start"].isoformat() if row["planned_start"] else "",
            planned_end=end.isoformat() if end else "",
            status=update.status if update else "",
            traffic_light=update.traffic_light if update else "",
            late=is_late(SimpleNamespace(planned_end=end), update, today),
            last_update=update.created_at.date().isoformat() if update else "",
            signed_by=(update.author.get_full_name() or update.author.username) if update else "",
        )
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@")
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_READ_ONLY_FILL = PatternFill("solid", fgColor="EEEEEE")


def _choice_label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def _cell_value(row: dict, name: str):
    value = row.get(name, "")
    if name in LIST_FIELDS:
        return ", ".join(value)
    if name in ("upcoming", "late"):
        return str(YES if value else NO)
    if name in ("planned_start", "planned_end", "last_update"):
        return datetime.date.fromisoformat(value) if value else None
    if name in ("planned_start_precision", "planned_end_precision"):
        return _choice_label(PRECISION_CHOICES, value)
    if name == "planned_note":
        return _choice_label(READING_NOTE_CHOICES, value)
    if name == "form_of_work":
        return _choice_label(DevelopmentArea.FormOfWork.choices, value)
    if name == "status":
        return _choice_label(Status.choices, value)
    if name == "traffic_light":
        return _choice_label(TrafficLight.choices, value)
    return value


def _text_cell(ws, value) -> WriteOnlyCell:
    """A cell that shows ``value``; text is always text, never a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"  # openpyxl would otherwise write "=..." as a formula
    return cell


def _header(ws, labels: Iterable[tuple[str, bool]]) -> list[WriteOnlyCell]:
    cells = []
    for label, imported in labels:
        cell = WriteOnlyCell(ws, label)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL if imported else _READ_ONLY_FILL
        cell.alignment = _WRAP
        cells.append(cell)
    return cells


def _area_rows(ws, rows: list[dict]) -> Iterator[list[WriteOnlyCell]]:
    # Setting a style on a cell makes openpyxl hash it each time; 180,000 cells
    # at 100 times the plan's size pay for that, so two cells are styled once
    # and their style copied (openpyxl's own StyleArray, an array of indices).
    wrapped = WriteOnlyCell(ws)
    wrapped.alignment = _WRAP
    dated = WriteOnlyCell(ws)
    dated.alignment = _WRAP
    dated.number_format = "yyyy-mm-dd"
    wrap_style, date_style = wrapped._style, dated._style
    for row in rows:
        cells = []
        for column in COLUMNS:
            value = _cell_value(row, column.name)
            if value is None or value == "":
                cells.append(None)  # nothing written: an empty cell needs no style
                continue
            cell = _text_cell(ws, value)
            template = date_style if isinstance(value, datetime.date) else wrap_style
            cell._style = copy(template)
            cells.append(cell)
        yield cells


def _append_cells(ws, cells: list, row_index: int) -> Iterator:
    """openpyxl's row writer for rows of ready cells (its own tries each as a value first)."""
    for column_index, cell in enumerate(cells, start=1):
        if cell is not None:
            cell.column, cell.row = column_index, row_index
            yield cell


def _summary_rows(ws, plan_meta: dict, rows: list[dict], filters: str) -> Iterator[list]:
    yield [_header(ws, [(plan_meta["title"], True)])[0]]
    yield [_("Registration number"), plan_meta["registration_number"]]
    yield [_("Revision"), plan_meta["revision"]]
    yield [_("Exported"), timezone.localtime().strftime("%Y-%m-%d %H:%M")]
    yield [
        pgettext("workbook", "Selection"),
        _text_cell(ws, filters) if filters else _("the whole plan"),
    ]
    yield []
    statuses, lights = list(Status), list(TrafficLight)
    yield _header(
        ws,
        [
            (str(label), True)
            for label in [
                _("Section"),
                _("Support area"),
                _("Sheet"),
                _("Development areas"),
                *[s.label for s in statuses],
                _("Not yet reported"),
                *[t.label for t in lights],
                _("Late"),
            ]
        ],
    )
    for support_area in SupportArea.objects.all():
        own = [r for r in rows if r["support_area"] == support_area.code]
        yield [
            support_area.number,
            support_area.name,
            support_area.code,
            len(own),
            *[sum(1 for r in own if r["status"] == s.value) for s in statuses],
            sum(1 for r in own if not r["status"]),
            *[sum(1 for r in own if r["traffic_light"] == t.value) for t in lights],
            sum(1 for r in own if r["late"]),
        ]
    yield []
    yield [
        _(
            "Edit the development areas on the support areas' sheets and import the workbook "
            "in vsplan as a revised plan. Grey columns are for reading and are not imported. "
            "Leave the key of a new row empty: vsplan gives it one."
        )
    ]


def write_workbook(
    out, *, plan_meta: dict, rows: list[dict], filters: str = "", language: str | None = None
) -> None:
    """Write the plan's rows to ``out`` (a path or a binary file) as an xlsx workbook.

    ``plan_meta`` holds the revision's title, registration number and revision;
    ``filters`` describes the filter the rows were chosen by (empty: the whole plan).
    """
    with translation.override(language or translation.get_language()):
        wb = Workbook(write_only=True)
        wb.properties.title = plan_meta["title"][:200]
        wb.properties.subject = f"{plan_meta['registration_number']} {plan_meta['revision']}"
        wb.properties.keywords = f"{EXPORT_MARK}; {FILTERED_MARK}" if filters else EXPORT_MARK
        wb.properties.creator = "vsplan"

        summary = wb.create_sheet(str(SUMMARY_TITLE))
        summary.column_dimensions["A"].width = 12
        summary.column_dimensions["B"].width = 40
        for row in _summary_rows(summary, plan_meta, rows, filters):
            summary.append(row)

        for support_area in SupportArea.objects.all():
            own = [r for r in rows if r["support_area"] == support_area.code]
            ws = wb.create_sheet(support_area.code)
            for index, column in enumerate(COLUMNS, start=1):
                ws.column_dimensions[get_column_letter(index)].width = column.width
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(own) + 1}"
            ws.append(_header(ws, [(str(c.label), c.imported) for c in COLUMNS]))
            ws._values_to_row = partial(_append_cells, ws)
            for cells in _area_rows(ws, own):
                ws.append(cells)
        wb.save(out)


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


def _limits() -> tuple[int, int, int]:
    return (
        settings.VSPLAN_IMPORT_MAX_BYTES,
        settings.VSPLAN_IMPORT_MAX_UNCOMPRESSED_BYTES,
        settings.VSPLAN_IMPORT_MAX_ROWS,
    )


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_archive(data: bytes) -> None:
    """Refuse what is not a plausible xlsx before openpyxl parses anything."""
    max_bytes, max_uncompressed, _rows = _limits()
    if len(data) > max_bytes:
        raise ImportRejected(
            _("The file is larger than %(limit)s; vsplan reads workbooks up to that size.")
            % {"limit": _mib(max_bytes)}
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
    if len(members) > 1_000 or sum(m.file_size for m in members) > max_uncompressed:
        raise ImportRejected(
            _(
                "The workbook unpacks to more than %(limit)s, far more than a plan needs; "
                "vsplan does not read it."
            )
            % {"limit": _mib(max_uncompressed)}
        )


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


def _sheet_cells(wb, ws, max_rows: int) -> tuple[dict[int, dict[int, tuple]], int]:
    """The sheet's cells as {row: {column: (value, data_type)}}, merged ranges filled in.

    Reads the sheet with openpyxl's streaming parser (as read-only mode does) so
    that the merged ranges, which follow the cells in the file, are known too.
    Raises ImportRejected past ``max_rows`` rows.
    """
    cells: dict[int, dict[int, tuple]] = {}
    max_column = len(COLUMNS) + 20  # room for extra columns, never a whole row of 16 384
    with wb._archive.open(ws._worksheet_path) as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=False,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        count = 0
        for index, row in parser.parse():
            count += 1
            if count > max_rows + 1:
                raise ImportRejected(
                    _("Sheet %(sheet)s has more than %(max)d rows; vsplan reads at most %(max)d.")
                    % {"sheet": ws.title, "max": max_rows}
                )
            values = {
                c["column"]: (c["value"], c["data_type"])
                for c in row
                if c["column"] <= max_column and c["value"] is not None
            }
            if values:
                cells[index] = values
        merged = parser.merged_cells
    for cell_range in merged.mergeCell if merged else []:
        min_col, min_row, max_col, max_row = range_boundaries(cell_range.ref)
        if max_row - min_row > max_rows or min_col > max_column:
            continue
        top_left = cells.get(min_row, {}).get(min_col)
        if top_left is None:
            continue
        for r in range(min_row, max_row + 1):
            for c in range(min_col, min(max_col, max_column) + 1):
                cells.setdefault(r, {})[c] = top_left
    return cells, count


def _unreadable(error: Exception) -> ImportRejected:
    """The message for a workbook openpyxl could not read, naming an XML attack as such."""
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


def read_workbook(data: bytes) -> ReadResult:
    """Read a workbook in the export's layout; file-level problems raise ImportRejected."""
    check_archive(data)
    _max_bytes, _max_uncompressed, max_rows = _limits()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception as error:  # noqa: BLE001 - any failure of a hostile file is a clear "no"
        raise _unreadable(error) from None
    try:
        return _read_sheets(wb, max_rows)
    except ImportRejected:
        raise
    except Exception as error:  # noqa: BLE001
        raise _unreadable(error) from None
    finally:
        wb.close()


def _read_sheets(wb, max_rows: int) -> ReadResult:
    result = ReadResult()
    keywords = (wb.properties.keywords or "") if wb.properties else ""
    if FILTERED_MARK in keywords and EXPORT_MARK in keywords:
        raise ImportRejected(
            _(
                "This workbook is a filtered export: importing it would remove every area the "
                "filter left out. Export the whole plan, edit that, and import it."
            )
        )
    codes = {sa.code: sa for sa in SupportArea.objects.all()}
    summary_titles = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            summary_titles.add(str(SUMMARY_TITLE))
    wanted = {c.name: header_labels(c) for c in COLUMNS}
    total = 0
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
        cells, count = _sheet_cells(wb, wb[title], max_rows - total)
        total += count
        _read_sheet(title, cells, wanted, result)
    for code in codes:
        if code not in seen:
            result.errors.append(
                Message(
                    code,
                    None,
                    "",
                    _(
                        "the sheet is missing. Every support area needs its sheet, with only "
                        "the header row if none of its areas remain."
                    ),
                )
            )
    return result


def _read_sheet(title: str, cells: dict, wanted: dict[str, set[str]], result: ReadResult) -> None:
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
    for index in sorted(cells):
        if index == 1:
            continue
        row_cells = cells[index]
        record = {"sheet": title, "row": index, "support_area": title}
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
