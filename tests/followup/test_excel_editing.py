"""The workbook the secretariat edits (issue 19, item 4): key and title frozen, validation
lists of vsplan's own codes, traffic lights coloured, print set-up, totals, local dates, and
a warning when a read-only cell was edited."""

import datetime
import io
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from areas.models import ActionPlan, Department, DevelopmentArea, PlanImport
from followup.models import StatusUpdate
from followup.services import status_update_create
from followup.workbook import WORKBOOK_COLUMNS
from tests.areas.excel_helpers import column_index, edited, exported, find_row, read

pytestmark = pytest.mark.django_db


def workbook(language: str = "en"):
    return load_workbook(io.BytesIO(exported(language)))


def letter(name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column_index(name))


def list_values(wb, formula: str) -> list[str]:
    """The values a validation list's formula (``'Sheet'!$A$2:$A$9``) refers to."""
    sheet, cells = formula.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    min_col, min_row, _max_col, max_row = range_boundaries(cells.replace("$", ""))
    return [ws.cell(row, min_col).value for row in range(min_row, max_row + 1)]


def test_key_and_title_come_first_and_stay_in_view_with_the_header(kth_plan):
    wb = workbook()
    for ws in wb.worksheets[1:-1]:
        assert [ws["A1"].value, ws["B1"].value] == ["Key", "Development area"]
        assert ws.freeze_panes == "C2"


def test_validation_lists_hold_vsplans_own_codes_one_list_a_column(kth_plan):
    wb = workbook()
    lists = wb.worksheets[-1]
    assert lists.title == "Lists" and lists.sheet_state == "hidden"
    utb = wb["UTB"]
    by_column = {}
    for validation in utb.data_validations.dataValidation:
        assert validation.type == "list"
        (cells,) = str(validation.sqref).split()  # one range: the whole column, not per cell
        by_column[cells] = validation
    column = {name: f"{letter(name)}2:{letter(name)}10001" for name in (
        "upcoming", "responsible", "participating", "depends_on", "external", "form_of_work",
        "status", "traffic_light", "late")}  # fmt: skip
    assert set(column.values()) <= set(by_column)
    values = {name: list_values(wb, by_column[cells].formula1) for name, cells in column.items()}
    assert values["upcoming"] == ["yes", "no"]
    assert values["status"] == ["not started", "ongoing", "finished", "paused", "cancelled"]
    assert values["traffic_light"] == ["green (on track)", "amber (at risk)", "red (off track)"]
    departments = sorted(Department.objects.values_list("code", flat=True))
    assert values["responsible"] == values["participating"] == departments
    assert values["depends_on"] == sorted(DevelopmentArea.objects.values_list("key", flat=True))
    assert "LADOK" in values["external"]
    # A single code is refused when it is not in the list; a cell of several codes
    # ("COM, HR") cannot be one of the list's, so the list only offers them.
    assert by_column[column["responsible"]].showErrorMessage
    assert by_column[column["status"]].showErrorMessage
    assert not by_column[column["participating"]].showErrorMessage
    assert by_column[column["participating"]].showInputMessage
    assert "commas" in by_column[column["participating"]].prompt


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[-6:][i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_traffic_lights_are_coloured_with_readable_text(kth_plan):
    utb = workbook()["UTB"]
    rules = {}
    for formatting in utb.conditional_formatting:
        assert str(formatting.sqref) == f"{letter('traffic_light')}2:{letter('traffic_light')}10001"
        for rule in formatting.rules:
            rules[rule.formula[0]] = rule.dxf
    assert set(rules) == {'"green (on track)"', '"amber (at risk)"', '"red (off track)"'}
    fills = {label: dxf.fill.bgColor.rgb[-6:] for label, dxf in rules.items()}
    assert fills['"green (on track)"'] == "C6EFCE" and fills['"red (off track)"'] == "FFC7CE"
    for dxf in rules.values():
        fill, text = _luminance(dxf.fill.bgColor.rgb), _luminance(dxf.font.color.rgb)
        assert (max(fill, text) + 0.05) / (min(fill, text) + 0.05) >= 4.5  # WCAG AA


def test_every_sheet_prints_landscape_fitted_across_readably_with_titles(kth_plan):
    wb = workbook()
    for ws in wb.worksheets[1:-1]:  # the area sheets
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        # As many pages across as keep the text readable (no 3 pt print of 25 columns).
        width = sum(d.width or 8.43 for d in ws.column_dimensions.values())
        assert ws.page_setup.fitToWidth == max(1, -(-int(width) // 190))
    assert wb["Summary"].page_setup.orientation == "landscape"
    assert wb["Summary"].page_setup.fitToWidth == 1
    assert wb["UTB"].page_setup.fitToWidth == 3
    assert (wb["UTB"].print_title_rows, wb["UTB"].print_title_cols) == ("$1:$1", "$A:$B")


def test_the_summary_ends_with_a_bold_total(kth_plan):
    summary = workbook()["Summary"]
    rows = list(summary.iter_rows())
    start = next(i for i, r in enumerate(rows) if r[0].value == "Section")
    total = next(r for r in rows if r[0].value == "Total")
    per_area = [r for r in rows[start + 1 :] if r[2].value][:7]
    assert [r[2].value for r in per_area] == ["UTB", "FOI", "HR", "EKO", "INF", "KOM", "LED"]
    assert total[3].value == sum(r[3].value for r in per_area) == 72
    assert all(c.font.b for c in total[:14])


def test_the_last_update_is_the_local_date(head):
    area = DevelopmentArea.objects.get(key="UTB-01")
    update = status_update_create(area=area, author=head, seen_version=0, status="ongoing",
                                  traffic_light="green", progress="x")  # fmt: skip
    stockholm = zoneinfo.ZoneInfo("Europe/Stockholm")
    half_past_midnight = datetime.datetime(2026, 3, 10, 0, 30, tzinfo=stockholm)  # 23:30 UTC
    StatusUpdate.objects.filter(pk=update.pk).update(created_at=half_past_midnight)
    ws = workbook()["UTB"]
    cell = ws.cell(find_row(ws, "UTB-01"), column_index("last_update"))
    assert cell.value.date() == datetime.date(2026, 3, 10)  # not the UTC date, the 9th


def test_the_export_comes_back_with_no_change_nor_warning(kth_plan):
    for language in ("sv", "en"):
        result = read(exported(language))
        assert (result.errors, result.warnings) == ([], [])  # the lists' sheet is known
        from areas.revisions import build_change_set
        from followup.workbook import read_only_edits

        plan = ActionPlan.objects.get()
        assert read_only_edits(result, plan, as_of=datetime.date.today()) == []
        assert not build_change_set(result.rows, plan, ([], [])).has_changes


def _edit_read_only(wb):
    ws = wb["UTB"]
    row = find_row(ws, "UTB-01")
    ws.cell(row, column_index("status")).value = "finished"
    ws.cell(row, column_index("traffic_light")).value = "red (off track)"


def _with_status(head):
    area = DevelopmentArea.objects.get(key="UTB-01")
    status_update_create(area=area, author=head, seen_version=0, status="ongoing",
                         traffic_light="amber", traffic_light_reason="Resurser", progress="x")  # fmt: skip
    return area


def test_an_edited_status_or_traffic_light_is_a_warning_on_the_review_page(client, secretariat,
                                                                            head):  # fmt: skip
    area = _with_status(head)
    client.cookies["django_language"] = "en"
    client.force_login(secretariat)
    data = edited(exported("en"), _edit_read_only)
    response = client.post("/plan/import/", {"workbook": SimpleUploadedFile("plan.xlsx", data)})
    page = client.get(response.url).content.decode()
    assert (
        "sheet UTB, row 2, column “Current status”: UTB-01: “ongoing” → “finished” was not "
        "imported. The column is for reading only; vsplan keeps “ongoing”." in page
    )
    assert "column “Traffic light”: UTB-01: “amber (at risk)” → “red (off track)”" in page
    assert len(PlanImport.objects.get().warnings) == 2
    # Nothing changes: the status stays what its department head reported.
    latest = StatusUpdate.objects.filter(area=area).latest("created_at")
    assert (latest.status, latest.traffic_light) == ("ongoing", "amber")
    assert not client.get(response.url).context["change_set"].has_changes


def test_an_edited_read_only_cell_is_a_warning_from_the_command(kth_plan, head, tmp_path,
                                                                 capsys):  # fmt: skip
    _with_status(head)
    path = tmp_path / "plan.xlsx"

    def edit(wb):
        _edit_read_only(wb)
        ws = wb["HR"]
        ws.cell(find_row(ws, "HR-04"), column_index("planned_start")).value = "2030-01-01"

    path.write_bytes(edited(exported("sv"), edit))  # a Swedish workbook, read in English
    call_command("import_plan", str(path))
    out = capsys.readouterr().out
    assert "No changes." in out
    assert "column “Current status”: UTB-01: “ongoing” → “finished” was not imported" in out
    assert "UTB-01: “amber (at risk)” → “red (off track)”" in out
    assert (
        "warning: sheet HR, row 5, column “Planned start (read)”: HR-04: “2023-01-01” → "
        "“2030-01-01” was not imported" in out
    )
    assert ActionPlan.objects.count() == 1


def test_an_unchanged_read_only_cell_in_either_language_is_no_warning(kth_plan, head):
    _with_status(head)

    def to_english(wb):  # someone types the English label of the same value
        ws = wb["UTB"]
        row = find_row(ws, "UTB-01")
        ws.cell(row, column_index("status")).value = "Ongoing"
        ws.cell(row, column_index("traffic_light")).value = "amber (at risk)"

    from followup.workbook import read_only_edits

    result = read(edited(exported("sv"), to_english))
    with translation.override("en"):
        assert read_only_edits(result, ActionPlan.objects.get(), as_of=datetime.date.today()) == []


def test_the_workbook_columns_are_those_the_tests_expect():
    assert [c.name for c in WORKBOOK_COLUMNS][:4] == ["key", "title", "group", "upcoming"]
