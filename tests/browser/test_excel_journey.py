"""The secretariat's Excel round trip in a real browser: download, edit, upload, review, apply."""

import pytest
from openpyxl import load_workbook

from areas.models import ActionPlan, DevelopmentArea
from tests.areas.excel_helpers import column_index, find_row
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_exports_edits_imports_and_applies_a_revision(
    page_for, live_server, secretariat, tmp_path
):
    page = page_for("secretariat")
    page.goto(f"{live_server.url}/")
    with page.expect_download() as download_info:
        page.click("text=Ladda ner planen som Excel")
    workbook = tmp_path / "plan.xlsx"
    download_info.value.save_as(workbook)

    # Edited the way a spreadsheet program would save it.
    wb = load_workbook(workbook)
    ws = wb["UTB"]
    ws.cell(find_row(ws, "UTB-02"), column_index("title")).value = "Utresande studenter"
    wb["HR"].append([None, "Digital introduktion för nyanställda", None, "nej"])
    wb.save(workbook)

    page.click("text=Importera en reviderad plan")
    assert axe_violations(page) == []
    page.set_input_files("#id_workbook", str(workbook))
    page.click("text=Läs arbetsboken")
    page.wait_for_selector("#apply-heading")
    review = page.inner_text("main")
    assert "Utresande utbytesstudenter" in review and "Utresande studenter" in review
    assert "HR-05" in review
    assert axe_violations(page) == []
    assert ActionPlan.objects.count() == 1  # nothing written by reading

    page.fill("#id_revision", "Revision 2027")
    page.click("text=Tillämpa ändringarna")
    page.wait_for_selector("text=Den reviderade planen gäller nu som ”Revision 2027”.")
    assert axe_violations(page) == []
    assert DevelopmentArea.objects.get(key="UTB-02").title == "Utresande studenter"

    old = ActionPlan.objects.get(is_current=False)
    page.click(f"a[href='/plan/revisions/{old.pk}/']")
    assert "Utresande utbytesstudenter" in page.inner_text("main")
    assert axe_violations(page) == []


def test_a_file_that_is_not_a_workbook_is_refused_in_plain_words(
    page_for, live_server, secretariat, tmp_path
):
    page = page_for("secretariat")
    page.goto(f"{live_server.url}/plan/import/")
    fake = tmp_path / "plan.xlsx"
    fake.write_bytes(b"%PDF-1.7 renamed")
    page.set_input_files("#id_workbook", str(fake))
    page.click("text=Läs arbetsboken")
    page.wait_for_selector("[role=alert]")
    assert "Detta är inte en Excel-arbetsbok" in page.inner_text("[role=alert]")
    assert axe_violations(page) == []
