"""Starting an installation's plan from a workbook: the empty workbook, and reading it back.

An installation with no plan yet starts from a workbook in the export's layout (a
sheet per support area, named by its code, with the export's columns) and five
sheets more, which say what the plan is built of: the plan itself (title,
registration number, revision, who decided it), its support areas, their groups,
the departments, and the programme's goals. :func:`write_empty_workbook` writes
that workbook with nothing in it; :func:`read_start_workbook` reads it back with
the import's own checks (its size, the zip, every sheet measured with defusedxml
before openpyxl opens it) and returns plain values and messages, never raising
for what a cell holds. What the rows mean is decided in :mod:`areas.revisions`
(``start_change_set``, ``plan_start``), which builds the first revision through
the same change set as every later one.
"""

import datetime
import io
import zipfile
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation

from .excel import (
    _HEADER_FILL,
    _HEADER_FONT,
    _TITLE_FONT,
    _WRAP,
    COLUMNS,
    EXPORT_MARK,
    FROZEN_AT,
    NO,
    YES,
    Column,
    ImportRejected,
    Limits,
    Message,
    ReadResult,
    _CharacterBudget,
    _check_shared_strings,
    _measure_sheets,
    _plain,
    _read_sheets,
    _sheet_cells,
    _sheet_parts,
    _unreadable,
    check_archive,
    header_labels,
    sheet_title,
)
from .models import Department, DevelopmentArea, support_area_code_validator

START_MARK = "vsplan-start"

PLAN_TITLE = pgettext_lazy("workbook sheet", "Action plan")
SUPPORT_AREAS_TITLE = pgettext_lazy("workbook sheet", "Support areas")
GROUPS_TITLE = pgettext_lazy("workbook sheet", "Groups")
DEPARTMENTS_TITLE = pgettext_lazy("workbook sheet", "Departments")
GOALS_TITLE = pgettext_lazy("workbook sheet", "Goals")
INSTRUCTIONS_TITLE = pgettext_lazy("workbook sheet", "Instructions")
# The area sheet the empty workbook offers, to be renamed to a support area's code.
EXAMPLE_CODE = "A"

# The plan's own fields: a label in column A, the value in column B.
PLAN_FIELDS = [
    Column("organisation", gettext_lazy("Organisation"), 30, max_length=200),
    Column("title", gettext_lazy("Title"), 30, max_length=300),
    Column("registration_number", gettext_lazy("Registration number"), 30, max_length=100),
    Column("revision", gettext_lazy("Revision"), 30, max_length=100),
    Column("decided_by", gettext_lazy("Decided by"), 30, max_length=200),
    Column("decision_date", gettext_lazy("Decision date"), 30, max_length=30, kind="date"),
    Column("document_date", gettext_lazy("Document date"), 30, max_length=30, kind="date"),
    Column("valid_until_text", gettext_lazy("Valid until"), 30, max_length=200),
]
REQUIRED_PLAN_FIELDS = {"title", "registration_number"}

SUPPORT_AREA_COLUMNS = [
    Column("code", gettext_lazy("Code"), 10, max_length=10),
    Column("number", gettext_lazy("Section"), 10, max_length=10),
    Column("name_sv", gettext_lazy("Swedish name"), 36, max_length=200),
    Column("name_en", gettext_lazy("English name"), 36, max_length=200),
    Column("short_name_sv", gettext_lazy("Short Swedish name"), 20, max_length=100),
    Column(
        "responsible",
        gettext_lazy("Responsible departments (codes)"),
        24,
        max_length=500,
        kind="list",
    ),
]
GROUP_COLUMNS = [
    Column("support_area", gettext_lazy("Support area (code)"), 16, max_length=10),
    Column("name", gettext_lazy("Group"), 40, max_length=300),
]
DEPARTMENT_COLUMNS = [
    Column("code", gettext_lazy("Code"), 12, max_length=20),
    Column("name_sv", gettext_lazy("Swedish name"), 36, max_length=200),
    Column("name_en", gettext_lazy("English name"), 36, max_length=200),
    Column(
        "kind",
        gettext_lazy("Kind"),
        26,
        max_length=50,
        kind="choice",
        choices=tuple(Department.Kind.choices),
    ),  # fmt: skip
    Column("parent", gettext_lazy("Part of (code)"), 14, max_length=20),
]
GOAL_COLUMNS = [
    Column("title", gettext_lazy("Goal"), 40, max_length=300),
    Column("definition", gettext_lazy("Definition"), 50),
    Column("follow_up", gettext_lazy("Follow-up"), 50),
]
TABLES = {
    "support_areas": (SUPPORT_AREAS_TITLE, SUPPORT_AREA_COLUMNS),
    "groups": (GROUPS_TITLE, GROUP_COLUMNS),
    "departments": (DEPARTMENTS_TITLE, DEPARTMENT_COLUMNS),
    "goals": (GOALS_TITLE, GOAL_COLUMNS),
}


def _titles(title) -> set[str]:
    """A sheet's title in either language."""
    titles = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            titles.add(str(title))
    return titles


def reference_titles() -> set[str]:
    found = set()
    for title in [PLAN_TITLE, INSTRUCTIONS_TITLE, *(t for t, _c in TABLES.values())]:
        found |= _titles(title)
    return found


# ---------------------------------------------------------------------------
# The empty workbook
# ---------------------------------------------------------------------------


def _table_sheet(wb, title, columns: list[Column]):
    ws = wb.create_sheet(str(title))
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=str(column.label))
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
        ws.column_dimensions[cell.column_letter].width = column.width
    ws.freeze_panes = "A2"
    return ws


def _list_validation(ws, column_letter: str, values: list[str], last: int) -> None:
    quoted = ",".join(v.replace('"', "") for v in values)
    validation = DataValidation(type="list", formula1=f'"{quoted}"', allow_blank=True)
    validation.add(f"{column_letter}2:{column_letter}{last}")
    ws.add_data_validation(validation)


def write_empty_workbook(out, *, language: str | None = None) -> None:
    """An empty workbook to start a plan in: the export's layout (one sheet per support
    area, here one to rename), and the sheets of what the plan is built of."""
    with translation.override(language or translation.get_language()):
        wb = Workbook()
        wb.properties.creator = "vsplan"
        wb.properties.keywords = f"{EXPORT_MARK}; {START_MARK}"
        wb.properties.title = _("A new action plan")
        ws = wb.active
        ws.title = str(INSTRUCTIONS_TITLE)
        ws.column_dimensions["A"].width = 110
        ws["A1"] = _("Start your organisation's action plan")
        ws["A1"].font = _TITLE_FONT
        lines = [
            _("1. On the sheet “%(sheet)s”, fill in the plan's title and registration number.")
            % {"sheet": PLAN_TITLE},
            _(
                "2. List the departments on “%(departments)s”, the support areas on "
                "“%(support_areas)s”, their groups on “%(groups)s” and the programme's goals "
                "on “%(goals)s”. Codes are short: letters, digits and hyphens."
            )
            % {
                "departments": DEPARTMENTS_TITLE,
                "support_areas": SUPPORT_AREAS_TITLE,
                "groups": GROUPS_TITLE,
                "goals": GOALS_TITLE,
            },
            _(
                "3. Each support area has a sheet of its own, named by its code. Rename the "
                "sheet “%(example)s” to the first support area's code, and copy it for each "
                "of the others."
            )
            % {"example": EXAMPLE_CODE},
            _(
                "4. Write one development area a row. Leave its key empty: vsplan gives it "
                "one. Name departments and the areas an area depends on by code and key."
            ),
            _(
                "5. Import the workbook in vsplan: it shows everything it read, and nothing "
                "is created until you apply it as the plan's first revision."
            ),
        ]
        for row, line in enumerate(lines, start=3):
            ws.cell(row=row, column=1, value=line).alignment = Alignment(wrap_text=True)

        plan = wb.create_sheet(str(PLAN_TITLE))
        plan.column_dimensions["A"].width = 26
        plan.column_dimensions["B"].width = 50
        for row, column in enumerate(PLAN_FIELDS, start=1):
            label = plan.cell(row=row, column=1, value=str(column.label))
            label.font = _HEADER_FONT
        organisation = settings.VSPLAN_ORGANISATION_NAME
        if organisation:
            plan.cell(row=1, column=2, value=organisation)
        plan.cell(row=4, column=2, value="1")

        _table_sheet(wb, SUPPORT_AREAS_TITLE, SUPPORT_AREA_COLUMNS)
        _table_sheet(wb, GROUPS_TITLE, GROUP_COLUMNS)
        departments = _table_sheet(wb, DEPARTMENTS_TITLE, DEPARTMENT_COLUMNS)
        last = settings.VSPLAN_IMPORT_MAX_ROWS + 1
        _list_validation(
            departments, "D", [str(label) for _v, label in Department.Kind.choices], last
        )
        _table_sheet(wb, GOALS_TITLE, GOAL_COLUMNS)

        areas = _table_sheet(wb, sheet_title(EXAMPLE_CODE), COLUMNS)
        areas.freeze_panes = FROZEN_AT
        for index, column in enumerate(COLUMNS, start=1):
            if column.kind == "yes_no":
                _list_validation(
                    areas, areas.cell(1, index).column_letter, [str(YES), str(NO)], last
                )
            elif column.name == "form_of_work":
                labels = [str(label) for _v, label in DevelopmentArea.FormOfWork.choices]
                _list_validation(areas, areas.cell(1, index).column_letter, labels, last)
        wb.save(out)


# ---------------------------------------------------------------------------
# Reading it back
# ---------------------------------------------------------------------------


@dataclass
class StartData:
    """What a starting workbook says the plan is built of, as plain values."""

    plan: dict = field(default_factory=dict)
    support_areas: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    departments: list[dict] = field(default_factory=list)
    goals: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "StartData":
        return cls(**data)


@dataclass
class StartRead:
    data: StartData
    result: ReadResult  # the areas' rows, and every message of the whole workbook


def _table(cells: dict, title: str, columns: list[Column], result: ReadResult) -> list[dict]:
    """A reference sheet's rows as {column name: text, "row": n}, by its header."""
    wanted = {c.name: header_labels(c) for c in columns}
    positions: dict[str, int] = {}
    for position, (value, data_type) in sorted(cells.get(1, {}).items()):
        text, _problem = _plain(value, data_type)
        name = next((n for n, labels in wanted.items() if text.casefold() in labels), None)
        if name is not None and name not in positions:
            positions[name] = position
    missing = [c for c in columns if c.name not in positions]
    for column in missing:
        result.errors.append(
            Message(title, 1, str(column.label), _("the column is missing from the header row."))
        )
    if missing:
        return []
    rows = []
    for index in sorted(cells):
        if index == 1:
            continue
        record = {"row": index}
        for column in columns:
            text, problem = _plain(*cells[index].get(positions[column.name], (None, "n")))
            if problem:
                result.errors.append(Message(title, index, str(column.label), problem))
            elif len(text) > column.max_length:
                result.errors.append(
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
        if any(record[c.name] for c in columns):
            rows.append(record)
    return rows


def _plan_fields(cells: dict, title: str, result: ReadResult) -> dict:
    labels = {c.name: header_labels(c) for c in PLAN_FIELDS}
    found = {c.name: "" for c in PLAN_FIELDS}
    for index in sorted(cells):
        label, _problem = _plain(*cells[index].get(1, (None, "n")))
        name = next((n for n, known in labels.items() if label.casefold() in known), None)
        if name is None:
            continue
        text, problem = _plain(*cells[index].get(2, (None, "n")))
        column = next(c for c in PLAN_FIELDS if c.name == name)
        if problem:
            result.errors.append(Message(title, index, str(column.label), problem))
            continue
        if len(text) > column.max_length:
            result.errors.append(
                Message(
                    title,
                    index,
                    str(column.label),
                    _("%(length)d characters; at most %(max)d fit.")
                    % {"length": len(text), "max": column.max_length},
                )
            )
            continue
        if column.kind == "date" and text:
            try:
                text = datetime.date.fromisoformat(text[:10]).isoformat()
            except ValueError:
                result.errors.append(
                    Message(
                        title, index, str(column.label), _("write a date as 2027-03-31.")
                    )  # fmt: skip
                )
                continue
        found[name] = text
    if not found["organisation"]:
        found["organisation"] = settings.VSPLAN_ORGANISATION_NAME
    for column in PLAN_FIELDS:
        if column.name in {*REQUIRED_PLAN_FIELDS, "organisation"} and not found[column.name]:
            result.errors.append(
                Message(title, None, str(column.label), _("the plan needs this; fill it in."))
            )
    return found


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _check(data: StartData, titles: dict[str, str], result: ReadResult) -> None:
    """The reference data in itself: codes present, unique and known where referred to."""
    errors = result.errors

    def unique(rows, title, name, label, key=lambda r: r.casefold()):
        seen: dict[str, int] = {}
        for row in rows:
            value = row[name]
            if not value:
                errors.append(Message(title, row["row"], str(label), _("fill in the code.")))
                continue
            if key(value) in seen:
                errors.append(
                    Message(
                        title,
                        row["row"],
                        str(label),
                        _("%(code)s is also on row %(row)d; a code is used once.")
                        % {"code": value, "row": seen[key(value)]},
                    )
                )
            else:
                seen[key(value)] = row["row"]

    sheet = titles["departments"]
    unique(data.departments, sheet, "code", DEPARTMENT_COLUMNS[0].label)
    department_codes = {d["code"].casefold(): d["code"] for d in data.departments if d["code"]}
    kinds = {}
    for value, label in Department.Kind.choices:
        kinds[value] = value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                kinds[str(label).casefold()] = value
    for row in data.departments:
        row["code"] = row["code"].upper()
        if not row["name_sv"] and not row["name_en"]:
            errors.append(
                Message(sheet, row["row"], str(_("Swedish name")), _("give the department a name."))
            )
        kind = kinds.get(row["kind"].casefold()) if row["kind"] else Department.Kind.SUBJECT.value
        if kind is None:
            choices = ", ".join(str(label) for _v, label in Department.Kind.choices)
            errors.append(
                Message(
                    sheet,
                    row["row"],
                    str(_("Kind")),
                    _("unknown kind; use one of: %(choices)s.") % {"choices": choices},
                )
            )
        row["kind"] = kind or ""
        if row["parent"]:
            parent = department_codes.get(row["parent"].casefold())
            if parent is None or parent.casefold() == row["code"].casefold():
                errors.append(
                    Message(
                        sheet,
                        row["row"],
                        str(_("Part of (code)")),
                        _("no other department on this sheet has the code %(code)s.")
                        % {"code": row["parent"]},
                    )
                )
            row["parent"] = (parent or row["parent"]).upper()

    sheet = titles["support_areas"]
    unique(data.support_areas, sheet, "code", SUPPORT_AREA_COLUMNS[0].label, key=str)
    if not data.support_areas:
        errors.append(
            Message(sheet, None, "", _("the plan needs at least one support area; list them here."))
        )
    for row in data.support_areas:
        if row["code"]:
            try:
                support_area_code_validator(row["code"])
            except ValidationError as error:
                errors.append(Message(sheet, row["row"], str(_("Code")), str(error.messages[0])))
        if not row["number"]:
            row["number"] = str(data.support_areas.index(row) + 1)
        if not row["name_sv"] and not row["name_en"]:
            errors.append(
                Message(
                    sheet, row["row"], str(_("Swedish name")), _("give the support area a name.")
                )
            )
        row["name_sv"] = row["name_sv"] or row["name_en"]
        row["name_en"] = row["name_en"] or row["name_sv"]
        codes = []
        for code in _split(row["responsible"]):
            known = department_codes.get(code.casefold())
            if known is None:
                errors.append(
                    Message(
                        sheet,
                        row["row"],
                        str(_("Responsible departments (codes)")),
                        _("no department on sheet %(sheet)s has the code %(code)s.")
                        % {"sheet": titles["departments"], "code": code},
                    )
                )
            else:
                codes.append(known.upper())
        row["responsible"] = sorted(set(codes))

    sheet = titles["groups"]
    support_area_codes = {s["code"] for s in data.support_areas if s["code"]}
    seen_groups = set()
    for row in data.groups:
        if row["support_area"] not in support_area_codes:
            errors.append(
                Message(
                    sheet,
                    row["row"],
                    str(_("Support area (code)")),
                    _("no support area on sheet %(sheet)s has the code %(code)s.")
                    % {"sheet": titles["support_areas"], "code": row["support_area"] or "–"},
                )
            )
        if not row["name"]:
            errors.append(Message(sheet, row["row"], str(_("Group")), _("give the group a name.")))
        pair = (row["support_area"], row["name"])
        if pair in seen_groups:
            errors.append(
                Message(
                    sheet,
                    row["row"],
                    str(_("Group")),
                    _("the support area already has a group of this name."),
                )
            )
        seen_groups.add(pair)

    sheet = titles["goals"]
    for row in data.goals:
        if not row["title"]:
            errors.append(Message(sheet, row["row"], str(_("Goal")), _("give the goal its title.")))


def read_start_workbook(data: bytes) -> StartRead:
    """Read a workbook that starts a plan; file-level problems raise ImportRejected."""
    limits = Limits.from_settings()
    check_archive(data, limits)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = _sheet_parts(archive)
            # Each sheet measured against the row limit on its own first (the support
            # areas are not known yet); the areas' sheets share it, checked below.
            shapes = _measure_sheets(archive, parts, {}, limits)
            _check_shared_strings(archive, limits)
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        try:
            return _read(wb, shapes, limits)
        finally:
            wb.close()
    except ImportRejected:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of a hostile file is a clear "no"
        raise _unreadable(error) from None


def _read(wb, shapes: dict, limits: Limits) -> StartRead:
    result = ReadResult()
    budget = _CharacterBudget(limits.characters)
    present = {}
    wanted = {"plan": PLAN_TITLE, **{name: title for name, (title, _c) in TABLES.items()}}
    for name, title in wanted.items():
        present[name] = next((t for t in wb.sheetnames if t in _titles(title)), None)
    missing = [str(wanted[name]) for name, title in present.items() if title is None]
    if missing:
        raise ImportRejected(
            _(
                "This is not a workbook that starts a plan: the sheets %(sheets)s are missing. "
                "Download the empty workbook from vsplan, fill it in, and import that."
            )
            % {"sheets": ", ".join(f"“{m}”" for m in missing)}
        )
    titles = {name: title for name, title in present.items()}

    def cells(name):
        title = titles[name]
        if shapes.get(title) is None:
            raise ImportRejected(
                _("The workbook is damaged: sheet %(sheet)s is missing from the file.")
                % {"sheet": title}
            )
        return _sheet_cells(wb[title], shapes[title], limits, budget)

    start = StartData()
    start.plan = _plan_fields(cells("plan"), titles["plan"], result)
    for name, (_title, columns) in TABLES.items():
        setattr(start, name, _table(cells(name), titles[name], columns, result))
    _check(start, titles, result)

    codes = {sheet_title(s["code"]): s["code"] for s in start.support_areas if s["code"]}
    area_rows = sum(max(shapes[t].rows - 1, 0) for t in codes if t in shapes)
    if area_rows > limits.rows:
        raise ImportRejected(
            _(
                "The support areas' sheets have more than %(max)d rows; vsplan reads at "
                "most %(max)d."
            )
            % {"max": limits.rows}
        )
    areas = _read_sheets(
        wb,
        shapes,
        codes,
        limits,
        list(COLUMNS),
        other_sheets=reference_titles(),
        budget=budget,
    )
    result.rows = areas.rows
    result.errors.extend(areas.errors)
    others = set(wb.sheetnames) - set(codes) - reference_titles()
    for message in areas.warnings:
        shape = shapes.get(message.sheet)
        if message.row is None and message.sheet in others and shape and shape.rows > 1:
            # A sheet of rows named by no support area: most likely one left off the list.
            result.errors.append(
                Message(
                    message.sheet,
                    None,
                    "",
                    _(
                        "the sheet holds rows, but no support area on sheet %(sheet)s has the "
                        "code %(code)s. Add the support area there, or rename the sheet to its "
                        "support area's code."
                    )
                    % {"sheet": titles["support_areas"], "code": message.sheet},
                )
            )
        else:
            result.warnings.append(message)
    result.read_only = areas.read_only
    if not result.rows and not result.errors:
        result.errors.append(
            Message(
                "",
                None,
                "",
                pgettext(
                    "starting a plan",
                    "The workbook holds no development areas. Write them on the support "
                    "areas' sheets, one sheet per support area named by its code.",
                ),
            )
        )
    return StartRead(start, result)
