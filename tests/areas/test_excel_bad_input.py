"""Every kind of bad workbook: a clear message, and the plan exactly as it was."""

import io
import zipfile

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import override
from openpyxl import Workbook

from areas.excel import ImportRejected
from areas.models import ActionPlan, DevelopmentArea, PlanChange
from areas.revisions import RevisionError, build_change_set
from followup.services import plan_revise
from followup.workbook import rows_with_status

from .excel_helpers import column_index, edited, exported, find_row, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def unchanged(kth_plan):
    """After the test: the plan, its areas and their history exactly as before it."""
    plan = ActionPlan.objects.get()
    before = rows_with_status(plan.areas.all(), timezone.localdate())
    yield
    assert ActionPlan.objects.count() == 1 and ActionPlan.objects.get().is_current
    assert rows_with_status(plan.areas.all(), timezone.localdate()) == before
    assert not PlanChange.objects.exists()


def rejected(data: bytes) -> str:
    with override("en"), pytest.raises(ImportRejected) as error:
        read(data)
    return str(error.value)


def problems(data: bytes) -> tuple[list[str], list[str], object]:
    """Errors and warnings of the change set, in English, and the change set."""
    with override("en"):
        result = read(data)
        change_set = build_change_set(
            result.rows, ActionPlan.objects.get(), (result.errors, result.warnings)
        )
        errors = [str(m) for m in change_set.errors]
        warnings = [str(m) for m in change_set.warnings]
    if errors or change_set.unknown_departments:
        assert not change_set.can_apply
        with pytest.raises(RevisionError):
            plan_revise(records=result.rows, read_errors=result.errors, user=None,
                           revision="R", registration_number="X")  # fmt: skip
    return errors, warnings, change_set


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {n: source.read(n) for n in source.namelist()}
    members[name] = content
    return zipped(members)


def test_a_pdf_renamed_to_xlsx_is_not_a_workbook(unchanged):
    assert "not an Excel workbook" in rejected(b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF")


def test_a_csv_is_not_a_workbook(unchanged):
    assert "not an Excel workbook" in rejected("Nyckel;Utvecklingsområde\nUTB-01;x\n".encode())


def test_a_zip_that_is_not_a_workbook(unchanged):
    assert "not an Excel workbook" in rejected(zipped({"readme.txt": b"hello"}))


def test_a_corrupt_zip_is_damaged(unchanged):
    data = exported()
    assert "damaged" in rejected(data[: len(data) // 2])


def test_a_zip_whose_contents_fail_their_checksum(unchanged):
    data = bytearray(exported())
    # Flip bytes inside the compressed data of a member: the archive opens, the CRC fails.
    start = data.index(b"xl/worksheets/sheet2.xml") + 40
    data[start : start + 20] = bytes(20)
    assert "could not be read" in rejected(bytes(data)) or "damaged" in rejected(bytes(data))


def test_a_zip_bomb_is_refused_before_it_is_unpacked(unchanged):
    bomb = zipped(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": bytes(101 * 1024 * 1024),  # 101 MB of zeros, ~100 kB zipped
        }
    )
    assert len(bomb) < 1024 * 1024
    assert "unpacks to more than 100 MB" in rejected(bomb)


def test_an_xml_entity_bomb_is_refused(unchanged):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
    )
    # The second part is the first support area's sheet (the first is the summary).
    data = replace_member(exported(), "xl/worksheets/sheet2.xml", laughs)
    assert "declares XML entities" in rejected(data)


def test_an_external_entity_is_refused(unchanged):
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&e;</workbook>'
    )
    assert "declares XML entities" in rejected(replace_member(exported(), "xl/workbook.xml", xxe))


@override_settings(VSPLAN_IMPORT_MAX_BYTES=10_000)
def test_a_file_over_the_size_cap_is_refused(unchanged):
    assert "larger than" in rejected(exported())


def test_a_missing_sheet(unchanged):
    errors, _, _ = problems(edited(exported(), lambda wb: wb.remove(wb["HR"])))
    assert errors == [
        "sheet HR: the sheet is missing. Every support area needs its sheet, with only the "
        "header row if none of its areas remain."
    ]


def test_a_missing_column(unchanged):
    errors, _, _ = problems(
        edited(exported(), lambda wb: wb["KOM"].delete_cols(column_index("why")))
    )
    assert errors == ["sheet KOM, row 1, column “Why”: the column is missing from the header row."]


def test_a_renamed_header(unchanged):
    def edit(wb):
        wb["LED"].cell(1, column_index("desired_effect")).value = "Effekt"

    errors, warnings, _ = problems(edited(exported(), edit))
    assert errors == [
        "sheet LED, row 1, column “Desired effect”: the column is missing from the header row."
    ]
    assert warnings == [
        "sheet LED, row 1, column “Effekt”: not a column vsplan knows; it was not read."
    ]


def test_duplicated_area_keys(unchanged):
    def edit(wb):
        ws = wb["EKO"]
        ws.cell(find_row(ws, "EKO-03"), 1).value = "EKO-02"

    errors, _, _ = problems(edited(exported(), edit))
    assert errors == [
        "sheet EKO, row 4, column “Key”: the key EKO-02 is also on sheet EKO, row 3; keys are unique."
    ]


def test_an_unknown_department_code(unchanged):
    def edit(wb):
        ws = wb["KOM"]
        ws.cell(find_row(ws, "KOM-02"), column_index("participating")).value = "COM, XYZ"
        ws.cell(find_row(ws, "KOM-03"), column_index("responsible")).value = "xyz"

    errors, _, change_set = problems(edited(exported(), edit))
    assert errors == []
    assert change_set.unknown_departments == [{"code": "XYZ", "places": ["KOM:3", "KOM:4"]}]
    assert change_set.problem_count == 1
    # The change set shows what the workbook says, unknown codes included.
    changes = {c.key: [(f.field, f.new) for f in c.fields] for c in change_set.changed}
    assert ("responsible", "XYZ") in changes["KOM-03"]
    assert any(f == "participating" and "XYZ" in new for f, new in changes["KOM-02"])


def test_unknown_codes_and_keys_in_the_link_columns(unchanged):
    def edit(wb):
        ws = wb["INF"]
        ws.cell(find_row(ws, "INF-01"), column_index("external")).value = "LADOK, NOPE"
        ws.cell(find_row(ws, "INF-02"), column_index("depends_on")).value = "INF-99"
        ws.cell(find_row(ws, "INF-03"), column_index("depends_on")).value = "INF-03"

    errors, _, _ = problems(edited(exported(), edit))
    assert errors == [
        "sheet INF, row 2, column “External dependencies (codes)”: no external dependency has the code NOPE.",
        "sheet INF, row 3, column “Depends on areas (keys)”: no area in the workbook has the key INF-99.",
        "sheet INF, row 4, column “Depends on areas (keys)”: an area cannot depend on itself.",
    ]  # fmt: skip


def test_a_date_the_reader_cannot_read_is_allowed_with_a_warning(kth_plan):
    def edit(wb):
        ws = wb["LED"]
        ws.cell(find_row(ws, "LED-03"), column_index("planned_text")).value = "När tiden är mogen"

    data = edited(exported(), edit)
    errors, warnings, change_set = problems(data)
    assert errors == [] and change_set.can_apply
    assert warnings == [
        "sheet LED, row 4, column “Planned start/end, as written”: “När tiden är mogen” gives no "
        "date vsplan can read; the area will show as undated."
    ]
    plan_revise(records=read(data).rows, read_errors=[], user=None, revision="R",
                   registration_number="X")  # fmt: skip
    area = DevelopmentArea.objects.get(key="LED-03")
    assert area.is_undated and area.planned_text == "När tiden är mogen"


def test_fifty_thousand_rows_are_refused(unchanged):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("UTB")
    ws.append(["Nyckel", "Utvecklingsområde"])
    for n in range(50_000):
        ws.append([None, f"Område {n}"])
    out = io.BytesIO()
    wb.save(out)
    assert "has more than 10000 rows" in rejected(out.getvalue())


def test_a_formula_is_refused_with_its_place(unchanged):
    def edit(wb):
        ws = wb["HR"]
        ws.cell(find_row(ws, "HR-02"), column_index("why")).value = "=1+1"

    errors, _, _ = problems(edited(exported(), edit))
    assert errors == [
        "sheet HR, row 3, column “Why”: holds a formula; type the value itself (formulas are not imported)."
    ]


def test_an_error_value_is_refused(unchanged):
    def edit(wb):
        ws = wb["HR"]
        cell = ws.cell(find_row(ws, "HR-01"), column_index("footnote"))
        cell.value, cell.data_type = "#REF!", "e"

    errors, _, _ = problems(edited(exported(), edit))
    assert errors == ["sheet HR, row 2, column “Footnote”: holds the error value #REF!."]


def test_text_over_the_field_limits(unchanged):
    def edit(wb):
        ws = wb["EKO"]
        ws.cell(find_row(ws, "EKO-01"), column_index("title")).value = "x" * 2_001
        ws.cell(find_row(ws, "EKO-02"), 1).value = "EKO 02 with spaces"

    errors, _, _ = problems(edited(exported(), edit))
    assert errors == [
        "sheet EKO, row 2, column “Development area”: 2001 characters; at most 2000 fit.",
        "sheet EKO, row 2, column “Development area”: every development area needs its title.",
        "sheet EKO, row 3, column “Key”: a key is letters, digits, “-”, “_” or “.”, at most 20 characters.",
    ]  # fmt: skip


def test_bad_yes_no_and_form_of_work(unchanged):
    def edit(wb):
        ws = wb["EKO"]
        ws.cell(find_row(ws, "EKO-01"), column_index("upcoming")).value = "kanske"
        ws.cell(find_row(ws, "EKO-02"), column_index("form_of_work")).value = "brainstorm"

    errors, _, _ = problems(edited(exported(), edit))
    assert errors == [
        "sheet EKO, row 2, column “Upcoming”: write “yes” or “no”.",
        "sheet EKO, row 3, column “Form of work”: unknown form of work; use one of: pre-study, project, assignment.",
    ]  # fmt: skip


def test_an_unknown_sheet_is_not_read_and_said_so(kth_plan):
    def edit(wb):
        ws = wb.create_sheet("Anteckningar")
        ws["A1"] = '=HYPERLINK("x")'

    errors, warnings, change_set = problems(edited(exported(), edit))
    assert errors == [] and not change_set.has_changes
    assert warnings == ["sheet Anteckningar: not a support area's sheet; it was not read."]


def test_a_filtered_export_cannot_be_imported(unchanged, reader_client):
    data = reader_client.get("/plan/export.xlsx?support_area=HR").content
    assert "filtered export" in rejected(data)


def test_control_characters_do_not_break_the_export(kth_plan):
    # (NUL cannot be stored in PostgreSQL at all; forms refuse it before it gets there.)
    DevelopmentArea.objects.filter(key="KOM-02").update(why="före\x01\x0bmitten\x1fefter")
    rows = read(exported()).rows
    assert next(r for r in rows if r["key"] == "KOM-02")["why"] == "föremittenefter"


RENAMED = (
    "sheet UTB, row 2, column “Key”: 12345 looks like UTB-01 with a new key (the same title). "
    "A key cannot be changed: applying this removes UTB-01, whose status updates, reports, "
    "comments and history stay with it in the earlier revision, and adds 12345 as a new area "
    "with none of them. To keep the area, put its key UTB-01 back in the workbook and upload "
    "it again."
)


def test_a_key_typed_over_is_said_to_look_like_a_renamed_area(unchanged):
    def edit(wb):
        wb["UTB"].cell(find_row(wb["UTB"], "UTB-01"), 1).value = "12345"

    errors, warnings, change_set = problems(edited(exported(), edit))

    assert [a["key"] for a in change_set.added] == ["12345"]
    assert [r["key"] for r in change_set.removed] == ["UTB-01"]
    assert errors == [] and warnings == [RENAMED]


def test_a_key_emptied_and_a_title_edited_is_said_to_look_like_a_renamed_area(unchanged):
    def edit(wb):
        ws = wb["HR"]
        row = find_row(ws, "HR-02")
        ws.cell(row, 1).value = None  # vsplan gives the row a new key
        ws.cell(row, column_index("title")).value = "Ett helt nytt namn"

    errors, warnings, change_set = problems(edited(exported(), edit))

    assert [(a["key"], a["key_assigned"]) for a in change_set.added] == [("HR-05", True)]
    assert errors == [] and warnings == [
        "sheet HR, row 3, column “Key”: HR-05 looks like HR-02 with a new key (the same place "
        "on sheet HR). A key cannot be changed: applying this removes HR-02, whose status "
        "updates, reports, comments and history stay with it in the earlier revision, and adds "
        "HR-05 as a new area with none of them. To keep the area, put its key HR-02 back in "
        "the workbook and upload it again."
    ]


def test_an_area_removed_and_another_added_elsewhere_is_no_renaming(unchanged):
    def edit(wb):
        wb["UTB"].delete_rows(find_row(wb["UTB"], "UTB-15"))
        ws = wb["LED"]
        ws.cell(ws.max_row + 1, column_index("title")).value = "Ett nytt område"
        ws.cell(ws.max_row, column_index("upcoming")).value = "nej"
        ws.cell(ws.max_row, column_index("responsible")).value = "MO"

    errors, warnings, change_set = problems(edited(exported(), edit))

    assert len(change_set.added) == 1 and len(change_set.removed) == 1
    assert errors == [] and warnings == []
