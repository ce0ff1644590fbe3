"""A whole year in the browser: a head reports once per area and submits, the secretariat
chases, returns, approves and closes, and the closed cycle stays the record after the plan
changes.

With VSPLAN_SCREENSHOTS=folder set, the banner, the grid and the confirmation are saved there.
"""

import io
import json
import os
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from areas.models import ActionPlan
from followup import cycles
from followup.models import FollowUpCycle, FollowUpReport, Review, StatusUpdate
from followup.pdf import PdfScope, build_pdf_data, render_pdf
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OLD_TITLE = "Inresande utbytesstudenter"


def _shot(page, name: str, selector: str | None = None) -> None:
    folder = os.environ.get("VSPLAN_SCREENSHOTS")
    if folder:
        target = page.locator(selector) if selector else page
        target.screenshot(path=os.path.join(folder, f"{name}.png"))


def _pdf(cycle) -> bytes:
    cycle = FollowUpCycle.objects.select_related("plan").get(pk=cycle.pk)
    data = build_pdf_data(cycle=cycle, scope=PdfScope("programme"), produced_by="Sam Sekretariat",
                          language="sv", today=timezone.localdate())  # fmt: skip
    return render_pdf(data)[2]


def test_a_year_of_follow_up(page_for, live_server, head, secretariat, settings):
    settings.VSPLAN_SITE_URL = live_server.url  # the links in the e-mails lead here
    today = timezone.localdate()
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=today - timedelta(days=5),
                                deadline=today + timedelta(days=9), user=secretariat)  # fmt: skip
    cycles.cycle_open(cycle=cycle, user=secretariat)

    # The head: the banner with the deadline, one status update per area, then submit.
    page = page_for("head")
    banner = page.inner_text(".cycle-banner")
    assert "Uppföljning 2025" in banner and "9 dagar kvar" in banner
    _shot(page, "banner", ".cycle-banner")
    assert axe_violations(page) == []
    for key in ("UTB-01", "UTB-02"):
        page.click(f"#row-{key} a.button")  # the form opens beside the table
        page.wait_for_selector(f"#editor #status-{key} form")
        page.select_option(f"#status-{key} select[name=status]", "ongoing")
        page.check(f"#status-{key} input[value=green]")
        page.fill(f"#status-{key} textarea[name=progress]", f"Progress on {key}.")
        page.click(f"#status-{key} button[type=submit]")
        page.wait_for_selector(f"#status-{key} .saved")
    for key in ("UTB-01", "UTB-02"):
        page.goto(f"{live_server.url}/cycles/2025/reports/{key}/")
        # the report already holds what the head said
        assert page.input_value("textarea[name=progress]") == f"Progress on {key}."
        assert page.input_value("select[name=status]") == "ongoing"
        page.click("button[value=submit]")
        page.wait_for_selector("text=Rapporten är inskickad.")
    assert StatusUpdate.objects.filter(area__key="UTB-01").count() == 1  # one thing per period

    # The secretariat: what is outstanding, then the review queue.
    page = page_for("secretariat")
    page.goto(f"{live_server.url}/cycles/2025/")
    page.select_option("#id_state", "not_started")
    page.click("#grid button[type=submit]")
    page.wait_for_url(re.compile(r"state=not_started"))
    grid = page.inner_text("#grid")
    assert "UTB-03" in grid and "UTB-01" not in grid
    _shot(page, "grid", "#grid")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/cycles/2025/reports/UTB-01/")
    page.check("input[name=decision][value=return]")
    page.check("input[name=reviewer_light][value=green]")
    page.fill("textarea[name=comment]", "Please add the next steps.")
    page.click("text=Spara granskningen")
    page.wait_for_url(re.compile(r"/reports/UTB-02/$"))  # straight on to the next in the queue
    page.check("input[name=decision][value=approve]")
    page.check("input[name=reviewer_light][value=green]")
    page.click("text=Spara granskningen")
    page.wait_for_selector("text=Granskningen är sparad för UTB-02.")

    # The head is told, follows the link in the e-mail, changes the report and resubmits.
    returned = next(m for m in mail.outbox if "UTB-01" in m.subject)
    link = re.search(rf"{re.escape(live_server.url)}/\S+", returned.body).group(0)
    assert "Please add the next steps." in returned.body
    page = page_for("head")
    page.goto(link)
    assert "Please add the next steps." in page.inner_text("main")
    page.fill("textarea[name=next_steps]", "Workshops in spring.")
    page.click("button[value=submit]")
    page.wait_for_selector("text=Rapporten är inskickad.")

    # The secretariat approves (both reviews stay), then closes after the question.
    page = page_for("secretariat")
    page.goto(f"{live_server.url}/cycles/2025/reports/UTB-01/")
    page.check("input[name=decision][value=approve]")
    page.check("input[name=reviewer_light][value=green]")
    page.click("text=Spara granskningen")
    page.wait_for_selector("text=Granskningen är sparad för UTB-01.")
    assert Review.objects.filter(report__area__key="UTB-01").count() == 2
    page.goto(f"{live_server.url}/cycles/2025/reports/UTB-01/")
    assert "Please add the next steps." in page.locator(".reviews").text_content()
    page.goto(f"{live_server.url}/cycles/2025/")
    page.click("text=Stäng och frys")
    question = page.inner_text(".confirm-box")
    left = FollowUpReport.objects.filter(cycle=cycle, state="not_started").count()
    assert f"{left} ej påbörjade" in question and "har inte passerats" in question
    _shot(page, "confirmation", ".confirm-box")
    assert axe_violations(page) == []
    page.click("text=Stäng ändå")
    page.wait_for_selector("text=är stängd")
    cycle.refresh_from_db()
    assert cycle.is_closed

    # A revision of the plan renames UTB-01 and removes UTB-02.
    before = _pdf(cycle)
    from followup.services import plan_revise
    from tests.areas.excel_helpers import column_index, edited, exported, find_row, read

    def edit(wb):
        ws = wb["UTB"]
        ws.cell(find_row(ws, "UTB-01"), column_index("title")).value = "A new name"
        ws.delete_rows(find_row(ws, "UTB-02"))

    result = read(edited(exported(), edit))
    plan_revise(records=result.rows, read_errors=result.errors, user=secretariat,
                revision="Revision 2027", registration_number="V-2022-0218 1.3")  # fmt: skip

    page.goto(f"{live_server.url}/cycles/2025/reports/UTB-01/")
    assert OLD_TITLE in page.inner_text("h1")
    response = page.goto(f"{live_server.url}/cycles/2025/reports/UTB-02/")
    assert response.status == 200
    after = _pdf(cycle)
    assert after == before
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(after)).pages).split())
    assert "V-2022-0218 1.2" in text and OLD_TITLE in text and "UTB-02" in text
    cycles.cycle_publish(cycle=cycle, user=secretariat)
    page.goto(f"{live_server.url}/data/status.json?cycle=2025")
    rows = {r["key"]: r for r in json.loads(page.inner_text("body"))["reports"]}
    assert rows["UTB-01"]["title"] == OLD_TITLE and "UTB-02" in rows
    page.goto(f"{live_server.url}/dashboard/?cycle=2025")
    assert OLD_TITLE in page.content()
