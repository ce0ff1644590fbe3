"""The export a reader downloads, the secretariat's upload → review → apply, and the commands."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from openpyxl import load_workbook

from areas.excel import COLUMNS, XLSX_CONTENT_TYPE, read_workbook
from areas.models import ActionPlan, DevelopmentArea, PlanImport, SupportArea
from areas.revisions import build_change_set
from followup.services import status_update_create
from followup.workbook import STATUS_COLUMNS
from tests.areas.excel_helpers import column_index, edited, exported, find_row
from tests.areas.test_excel_round_trip import three_cells_and_a_row

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str = "plan.xlsx"):
    return client.post("/plan/import/", {"workbook": SimpleUploadedFile(name, data)})


def test_the_export_a_reader_downloads(reader_client, head, django_assert_num_queries):
    area = DevelopmentArea.objects.get(key="UTB-01")
    status_update_create(area=area, author=head, seen_version=0, status="ongoing",
                         traffic_light="amber", traffic_light_reason="Resurser", progress="x")  # fmt: skip
    # session, user, the plan; plan_rows' four (areas, participating departments,
    # dependencies on areas, external dependencies); the areas with their support areas
    # and their latest status (where they stand, for the status columns and the summary);
    # the support areas for the sheets; the department and external dependency codes for
    # the validation lists.
    with django_assert_num_queries(12):
        response = reader_client.get("/plan/export.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="vsplan-')
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:-1] == ["Sammanfattning", "UTB", "FOI", "HR", "EKO", "INF", "KOM", "LED"]
    assert wb.worksheets[-1].sheet_state == "hidden"  # the validation lists' sheet
    utb = wb["UTB"]
    assert utb.freeze_panes == "C2"  # key, title and the header stay in view
    assert utb.auto_filter.ref == f"A1:Y{18 + 1}"
    assert [c.value for c in utb[1]][:4] == ["Nyckel", "Utvecklingsområde", "Grupp", "Kommande"]
    assert utb.column_dimensions["B"].width == 40
    row = [c.value for c in utb[2]]
    assert row[0] == "UTB-01" and row[1] == area.title and row[4] == area.why
    assert utb.cell(2, column_index("why")).alignment.wrap_text
    assert row[column_index("status") - 1] == "pågående"
    assert row[column_index("traffic_light") - 1] == "gult (risk)"
    assert utb.max_row == 19
    # Dates are dates, with their precision beside them.
    foi = wb["FOI"]
    hr04 = find_row(wb["HR"], "HR-04")
    assert wb["HR"].cell(hr04, column_index("planned_start")).value.date() == date(2023, 1, 1)
    assert wb["HR"].cell(hr04, column_index("planned_start_precision")).value == "år"
    assert foi.max_row == 11
    # The summary counts per support area.
    summary = [[c.value for c in r] for r in wb["Sammanfattning"].iter_rows()]
    utb_line = next(r for r in summary if r and r[2] == "UTB")
    assert utb_line[:5] == ["3.1", "Utbildningsadministrativt stöd", "UTB", 18, 0]
    assert utb_line[5] == 1  # one ongoing
    total = next(r for r in summary if r and r[1] == "Alla")
    assert total[3] == 72 and total[5] == 1  # and the whole plan's


def test_the_export_in_english(client, reader):
    client.cookies["django_language"] = "en"
    client.force_login(reader)
    wb = load_workbook(io.BytesIO(client.get("/plan/export.xlsx").content))
    assert wb.sheetnames[0] == "Summary"
    assert [c.value for c in wb["UTB"][1]][:4] == ["Key", "Development area", "Group", "Upcoming"]


def test_the_export_follows_the_plan_pages_filters(reader_client):
    response = reader_client.get("/plan/export.xlsx?support_area=HR&q=resehanteringen")
    wb = load_workbook(io.BytesIO(response.content))
    assert [ws.max_row for ws in wb.worksheets[1:-1]] == [1, 1, 2, 1, 1, 1, 1]
    assert wb["HR"]["A2"].value == "HR-04"
    filters = [r[:2] for r in wb["Sammanfattning"].iter_rows(values_only=True) if r[0] == "Urval"]
    assert filters == [("Urval", "Stödområde: 3.3 HR-stöd; Sök: resehanteringen")]


def test_formula_looking_text_is_exported_as_text(reader_client):
    DevelopmentArea.objects.filter(key="KOM-01").update(
        title='=HYPERLINK("http://evil.example")',
        why="+SUM(1)",
        footnote="@A1",
        dependencies_text="-1",
    )
    data = reader_client.get("/plan/export.xlsx").content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if "worksheets" in n)
    assert b"<f>" not in xml and b"<f " not in xml
    ws = load_workbook(io.BytesIO(data))["KOM"]
    cells = ws[find_row(ws, "KOM-01")]
    assert all(c.data_type != "f" for c in cells)
    assert cells[column_index("title") - 1].value == '=HYPERLINK("http://evil.example")'


def test_a_plan_title_and_registration_number_like_formulas_are_exported_as_text(reader_client):
    ActionPlan.objects.update(title='=HYPERLINK("http://evil.example","Öppna")',
                              registration_number="=1+1", revision="@SUM(A1)")  # fmt: skip
    data = reader_client.get("/plan/export.xlsx").content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".xml"))
    assert b"<f>" not in xml and b"<f " not in xml  # no formula anywhere in the workbook
    summary = load_workbook(io.BytesIO(data))["Sammanfattning"]
    assert summary["A1"].value == '=HYPERLINK("http://evil.example","Öppna")'
    assert summary["A1"].data_type == "s"
    rows = {r[0].value: r[1] for r in summary.iter_rows(min_row=2, max_row=3)}
    assert rows["Diarienummer"].value == "=1+1" and rows["Diarienummer"].data_type == "s"
    assert rows["Revision"].value == "@SUM(A1)" and rows["Revision"].data_type == "s"


def test_a_support_area_code_excel_cannot_name_a_sheet_still_exports(reader_client):
    # Codes the admin no longer accepts may still be in an older database.
    SupportArea.objects.filter(code="INF").update(code="IN/F")
    SupportArea.objects.filter(code="KOM").update(code="K[O]M:*?")

    response = reader_client.get("/plan/export.xlsx")

    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:-1] == [
        "Sammanfattning",
        "UTB",
        "FOI",
        "HR",
        "EKO",
        "IN-F",
        "K-O-M---",
        "LED",
    ]
    assert wb["IN-F"].cell(2, 1).value == "INF-01"
    # ... and the workbook comes back unchanged.
    result = read_workbook(response.content, read_only_columns=STATUS_COLUMNS)
    assert result.errors == []
    change_set = build_change_set(result.rows, ActionPlan.objects.get(), (result.errors, []))
    assert not change_set.has_changes


def test_a_registration_number_in_cyrillic_names_the_download_as_it_is(reader_client):
    from urllib.parse import unquote

    from django.utils import timezone

    ActionPlan.objects.update(registration_number="Рег-2023/17", revision='Ред. "1"')

    response = reader_client.get("/plan/export.xlsx")

    header = response["Content-Disposition"]
    assert header.isascii()  # no encoded word, nothing a browser would show garbled
    today = timezone.localdate().isoformat()
    # RFC 6266: a plain fallback (ASCII, no quotes) and filename*, which browsers prefer,
    # UTF-8 and percent-encoded (RFC 8187/5987).
    fallback, extended = header.removeprefix("attachment; ").split("; ")
    assert fallback == f'filename="vsplan-___-2023-17-___.-1-{today}.xlsx"'
    assert extended.startswith("filename*=UTF-8''")
    assert unquote(extended.removeprefix("filename*=UTF-8''")) == (
        f"vsplan-Рег-2023-17-Ред.-1-{today}.xlsx"
    )


def test_the_secretariats_upload_review_and_apply(client, secretariat, django_assert_num_queries):
    client.force_login(secretariat)
    assert client.get("/plan/import/").status_code == 200
    response = upload(client, edited(exported(), three_cells_and_a_row))
    plan_import = PlanImport.objects.get()
    assert response.status_code == 302 and response.url == f"/plan/import/{plan_import.pk}/"
    assert ActionPlan.objects.count() == 1  # nothing written by reading

    page = client.get(response.url).content.decode()
    assert "Utresande utbytesstudenter" in page and "Utresande studenter" in page
    assert "HR-05" in page and "Digital introduktion" in page
    assert "Tillämpa ändringarna" in page
    digest = client.get(response.url).context["change_set"].digest

    applied = client.post(response.url, {"revision": "Revision 2027", "registration_number": "V-2023-0512",
                                         "document_date": "2027-01-15", "digest": digest})  # fmt: skip
    assert applied.status_code == 302 and applied.url == "/plan/revisions/"
    new = ActionPlan.objects.get(is_current=True)
    assert (new.revision, new.document_date) == ("Revision 2027", date(2027, 1, 15))
    plan_import.refresh_from_db()
    assert plan_import.applied_as == new
    listing = client.get("/plan/revisions/").content.decode()
    assert 'Revision 2027</a> <span class="badge">gällande</span>' in listing
    # Applying the same upload twice does nothing more.
    client.post(f"/plan/import/{plan_import.pk}/", {"revision": "Again", "registration_number": "X",
                                                    "digest": digest})  # fmt: skip
    assert ActionPlan.objects.count() == 2


def test_an_upload_that_is_not_a_workbook_says_so_and_stores_nothing(client, secretariat):
    client.force_login(secretariat)
    response = upload(client, b"%PDF-1.7 not a workbook", "plan.xlsx")
    assert response.status_code == 200
    assert "Detta är inte en Excel-arbetsbok" in response.content.decode()
    assert not PlanImport.objects.exists()


@override_settings(VSPLAN_IMPORT_MAX_BYTES=1024)
def test_an_upload_over_the_cap_is_refused_by_the_form(client, secretariat):
    client.force_login(secretariat)
    response = upload(client, exported())
    assert response.status_code == 200
    assert response.context["form"].errors["workbook"]
    assert not PlanImport.objects.exists()


def test_an_upload_with_errors_shows_them_and_offers_no_apply(client, secretariat):
    client.force_login(secretariat)

    def edit(wb):
        ws = wb["KOM"]
        ws.cell(find_row(ws, "KOM-02"), column_index("responsible")).value = "NOPE"

    response = client.get(upload(client, edited(exported(), edit)).url)
    page = response.content.decode()
    assert "NOPE" in page and "Tillämpa ändringarna" not in page
    forged = client.post(response.request["PATH_INFO"], {"revision": "R", "registration_number": "X",
                                                         "digest": response.context["change_set"].digest})  # fmt: skip
    assert forged.status_code == 200 and ActionPlan.objects.count() == 1


def test_a_plan_changed_since_the_review_is_shown_again(client, secretariat):
    client.force_login(secretariat)
    url = upload(client, edited(exported(), three_cells_and_a_row)).url
    digest = client.get(url).context["change_set"].digest
    DevelopmentArea.objects.filter(key="UTB-03").update(why="Ändrat under tiden")

    response = client.post(url, {"revision": "R", "registration_number": "X", "digest": digest})

    assert response.status_code == 200 and ActionPlan.objects.count() == 1
    assert "Planen ändrades efter att ändringarna togs fram" in response.content.decode()
    assert "Ändrat under tiden" in response.content.decode()


def test_an_upload_is_its_uploaders(client, secretariat, admin_user, django_user_model):
    client.force_login(secretariat)
    url = upload(client, exported()).url
    page = client.get(url).content.decode()
    assert "Inga ändringar: arbetsboken säger det som planen redan säger." in page
    assert "Tillämpa ändringarna" not in page
    colleague = django_user_model.objects.create_user("colleague")
    colleague.groups.add(*secretariat.groups.all())
    client.force_login(colleague)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_the_revisions_page(reader_client, django_assert_num_queries):
    # session, user, the revisions with who created them; the menu's role questions (groups,
    # headed departments)
    with django_assert_num_queries(5):
        response = reader_client.get("/plan/revisions/")
    assert response.status_code == 200
    assert "Importera en reviderad plan" not in response.content.decode()


def test_the_commands_export_and_import(kth_plan, tmp_path, capsys):
    path = tmp_path / "plan.xlsx"
    call_command("export_plan", str(path))
    assert "Wrote 72 development areas" in capsys.readouterr().out

    call_command("import_plan", str(path))
    assert "No changes." in capsys.readouterr().out

    path.write_bytes(edited(path.read_bytes(), three_cells_and_a_row))
    call_command("import_plan", str(path))
    out = capsys.readouterr().out
    assert "1 added, 3 changed (0 moved), 0 removed, 69 unchanged" in out
    assert "'Utresande utbytesstudenter' → 'Utresande studenter'" in out
    assert ActionPlan.objects.count() == 1

    with pytest.raises(CommandError, match="--revision"):
        call_command("import_plan", str(path), "--apply")
    call_command("import_plan", str(path), "--apply", "--revision", "Revision 2027")
    assert ActionPlan.objects.get(is_current=True).revision == "Revision 2027"


def test_the_import_command_refuses_bad_files(kth_plan, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"a;b\n1;2\n")
    with pytest.raises(CommandError, match="not an Excel workbook"):
        call_command("import_plan", str(bad))
    with pytest.raises(CommandError, match="Could not read"):
        call_command("import_plan", str(tmp_path / "missing.xlsx"))


def test_every_column_has_a_distinct_header_in_both_languages():
    from areas.excel import header_labels

    for language_labels in zip(*[sorted(header_labels(c)) for c in COLUMNS], strict=False):
        assert len(set(language_labels)) == len(language_labels)
    all_labels = [label for c in COLUMNS for label in header_labels(c)]
    assert len(all_labels) == len(set(all_labels))


def test_the_import_pages_ask_a_fixed_number_of_queries(
    client, secretariat, django_assert_num_queries
):
    client.force_login(secretariat)
    url = upload(client, edited(exported(), three_cells_and_a_row)).url
    # session, user, the user's groups, the plan, the menu's headed departments, the
    # user's recent uploads, the open cycle that would block applying
    with django_assert_num_queries(7):
        assert client.get("/plan/import/").status_code == 200
    # session, user, groups, the upload, the plan; the change set: departments, external
    # dependencies, plan_rows' four (areas, participating, dependencies on areas,
    # external), keys of other revisions, keys for numbering, groups; the menu's headed
    # departments; the open cycle that would block applying
    with django_assert_num_queries(16):
        assert client.get(url).status_code == 200


def test_an_earlier_revision_asks_a_fixed_number_of_queries(
    reader_client, django_assert_num_queries
):
    from tests.areas.test_excel_round_trip import apply

    apply(edited(exported(), three_cells_and_a_row))
    old = ActionPlan.objects.get(is_current=False)
    # session, user, the revision (its snapshot), the support areas; the menu's groups and
    # headed departments
    with django_assert_num_queries(6):
        page = reader_client.get(f"/plan/revisions/{old.pk}/")
    assert page.status_code == 200 and "Utresande utbytesstudenter" in page.content.decode()


def test_the_import_says_up_front_that_an_open_cycle_blocks_applying(client, secretariat):
    from followup import cycles

    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=date(2025, 1, 1), deadline=date(2099, 1, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle, before_its_date=True)
    client.force_login(secretariat)
    client.cookies["django_language"] = "en"
    page = client.get("/plan/import/").content.decode()
    assert "The follow-up cycle “Uppföljning 2025” is open, so a revised plan cannot" in page
    review = client.get(upload(client, edited(exported(), three_cells_and_a_row)).url)
    html = review.content.decode()
    assert "The follow-up cycle “Uppföljning 2025” is open, so a revised plan cannot" in html
    assert 'name="registration_number"' not in html  # no apply form to fill in in vain
    assert "Close the follow-up cycle “Uppföljning 2025” first" in html


def test_without_an_open_cycle_the_import_offers_the_apply_form(client, secretariat):
    client.force_login(secretariat)
    html = client.get(upload(client, edited(exported(), three_cells_and_a_row)).url)
    assert 'name="registration_number"' in html.content.decode()
    assert "warning-box" not in client.get("/plan/import/").content.decode()
