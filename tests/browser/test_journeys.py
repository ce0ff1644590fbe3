"""What users see in a real browser: in-place updates, keyboard use, accessibility."""

import re

import pytest

from followup.models import StatusUpdate
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_department_heads_journey(page_for, live_server, head):
    page = page_for("head")
    assert page.url.endswith("/my/")
    assert axe_violations(page) == []
    summary = page.inner_text("#summary")
    assert "0 ännu inte rapporterade" not in summary
    for key, light in [("UTB-01", "amber"), ("UTB-02", "green")]:
        page.click(f"#row-{key} a.button")  # the form opens beside the table
        page.wait_for_selector(f"#editor #status-{key} form")
        assert axe_violations(page) == []
        page.select_option(f"#status-{key} select[name=status]", "ongoing")
        page.check(f"#status-{key} input[value={light}]")
        if light == "amber":
            page.click(f"#status-{key} button[type=submit]")  # no reason yet: refused in place
            page.wait_for_selector(f"#status-{key} .field-error")
            assert "Ange varför trafikljuset är gult eller rött." in page.inner_text(
                f"#status-{key}"
            )
            assert axe_violations(page) == []
            page.fill(f"#status-{key} textarea[name=traffic_light_reason]", "Ladok is late.")
        page.fill(f"#status-{key} textarea[name=progress]", f"Progress on {key}.")
        page.click(f"#status-{key} button[type=submit]")
        page.wait_for_selector(f"#status-{key} .saved")
    assert page.url.endswith("/my/")  # never left the page
    assert "Status sparad för UTB-02." in page.inner_text("#live-region")
    page.wait_for_function("document.querySelector('#summary').innerText.includes('1')")
    # The table's rows follow the saves (it asks again after each).
    page.wait_for_function("document.querySelector('#row-UTB-02').innerText.includes('Grönt')")
    assert "Gult" in page.inner_text("#row-UTB-01")
    assert StatusUpdate.objects.count() == 2
    page.goto(f"{live_server.url}/areas/UTB-01/")
    history = page.inner_text("#history")
    assert "Progress on UTB-01." in history and "Ladok is late." in history
    assert axe_violations(page) == []
    response = page.goto(f"{live_server.url}/areas/INF-01/status/")
    assert response.status == 403
    assert "Det får du inte göra" in page.inner_text("main")


def test_a_status_update_by_keyboard_alone(page_for, head):
    page = page_for("head")
    button = page.locator("#row-UTB-01 a.button")
    for _ in range(80):  # tab through the page until the first Update button has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#row-UTB-01 .col-action') !== null"):
            break
    assert button.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    page.wait_for_selector("#status-UTB-01 form")
    # Let htmx settle and the browser run its own autofocus (at its next rendering update,
    # which a loaded machine delays): a key pressed before that loses the focus it moved.
    page.wait_for_function("!document.querySelector('.htmx-settling, .htmx-swapping')")
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert page.evaluate("document.activeElement.name") == "status"  # focus moved into the form

    def tab_to(test: str) -> None:
        for _ in range(8):
            page.keyboard.press("Tab")
            if page.evaluate(f"(el => {test})(document.activeElement)"):
                return
        raise AssertionError(f"the keyboard never reached {test}")

    tab_to("el.name === 'traffic_light'")
    page.keyboard.press("Space")
    focused = "document.activeElement.outerHTML.slice(0, 200)"
    try:
        page.wait_for_function("document.activeElement.checked === true")
    except Exception as error:  # say what has the focus instead
        raise AssertionError(
            f"Space did not check a radio; focus: {page.evaluate(focused)}"
        ) from error
    tab_to("el.name === 'progress'")
    page.keyboard.type("Typed without a mouse.")
    tab_to("el.type === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_selector("#status-UTB-01 .saved")
    # Focus returns to the card's button once htmx has settled the swap (autofocus).
    page.wait_for_function("document.activeElement.textContent.startsWith('Uppdatera status')")
    assert StatusUpdate.objects.get().progress == "Typed without a mouse."


def test_council_reads_the_dashboard_and_drills_down(page_for, live_server, council, head,
                                                     secretariat):  # fmt: skip
    from areas.models import ActionPlan
    from followup.demo import create_demo_history

    create_demo_history(ActionPlan.objects.get())
    page = page_for("council")
    page.goto(f"{live_server.url}/start/")
    assert page.url == f"{live_server.url}/dashboard/"  # the council lands here
    assert axe_violations(page) == []
    # The first screen answers without scrolling: the figures, the matrix, the top risks.
    for selector in (".tiles", "table.matrix", "ol.top-risks"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= 900, selector
    red = page.locator(".tile-red .tile-figure").inner_text().strip()
    page.click(".tile-red a")
    page.wait_for_load_state("networkidle")
    assert page.locator(".result-count").inner_text() == f"({red})"
    assert page.locator("table.area-list tbody tr").count() == int(red)
    assert axe_violations(page) == []
    page.go_back()
    # A filter swaps the panels in place.
    page.click("summary:has-text('Filtrera översikten')")
    page.select_option("#id_support_area", "HR")
    page.wait_for_function("location.search.includes('support_area=HR')")
    assert "3.1 Utbildningsadministrativt stöd" not in page.inner_text("#panels")
    assert axe_violations(page) == []
    # The timeline of a support area opens; the graph narrows to one dependency.
    page.goto(f"{live_server.url}/dashboard/#timeline")
    page.click("#timeline details summary >> nth=0")
    assert page.locator("#timeline details[open] svg").count() == 1
    page.select_option("#id_graph_focus", "x:CRM")
    page.click(".graph-form button")
    page.wait_for_load_state("networkidle")
    assert "focus=x%3ACRM" in page.url
    assert page.locator("#graph-chart-title").count() == 1
    assert axe_violations(page) == []
    # On a phone: nothing wider than the screen but the regions that scroll on their own.
    phone = page_for("council", width=390)
    phone.goto(f"{live_server.url}/dashboard/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(phone) == []


def test_pages_fit_a_phone(page_for, live_server, reader):
    page = page_for("reader", width=390)
    for path in ["/", "/areas/UTB-01/"]:
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert axe_violations(page) == []


def test_secretariats_cycle_journey(page_for, live_server, task_worker, head, secretariat):
    """Create and open a cycle, return one report and approve another, close, make the PDF.

    The PDF is made by a real background worker while the progress page polls.
    """
    from followup import cycles
    from followup.models import FollowUpCycle, FollowUpReport

    page = page_for("secretariat")
    page.goto(f"{live_server.url}/cycles/")
    assert axe_violations(page) == []
    page.fill("#id_year", "2026")
    page.fill("#id_name", "Uppföljning 2026")
    page.fill("#id_opens_on", "2026-11-01")
    page.fill("#id_deadline", "2027-01-31")
    page.click("text=Skapa uppföljningen")
    page.wait_for_url(re.compile(r"/cycles/2026/$"))
    page.click("text=Öppna uppföljningen")
    page.wait_for_selector("text=Stäng och frys")
    assert axe_violations(page) == []
    cycle = FollowUpCycle.objects.get(year=2026)
    assert cycle.state == "open"

    for key in ("UTB-01", "UTB-02"):  # the head submits two reports
        report = FollowUpReport.objects.get(cycle=cycle, area__key=key)
        cycles.report_save(report=report, user=head, seen_version=report.version,
                           fields={"status": "ongoing", "traffic_light": "green",
                                   "progress": f"Report on {key}."},
                           risks=[], benefits=[], submit=True)  # fmt: skip

    page.goto(f"{live_server.url}/cycles/2026/reports/UTB-01/")
    assert "Report on UTB-01." in page.inner_text("main")
    assert axe_violations(page) == []
    page.check("input[name=decision][value=return]")
    page.check("input[name=reviewer_light][value=green]")
    page.fill("textarea[name=comment]", "Please add the next steps.")
    page.click("text=Spara granskningen")
    page.wait_for_selector("text=Granskningen är sparad för UTB-01.")
    assert axe_violations(page) == []  # on to the next report waiting for review
    page.goto(f"{live_server.url}/cycles/2026/reports/UTB-02/")
    assert axe_violations(page) == []
    page.check("input[name=decision][value=approve]")
    page.check("input[name=reviewer_light][value=amber]")
    page.fill("textarea[name=reviewer_reason]", "Depends on Ladok.")
    page.click("text=Spara granskningen")
    page.wait_for_selector("text=Granskningen är sparad för UTB-02.")
    assert axe_violations(page) == []
    states = dict(FollowUpReport.objects.filter(cycle=cycle, area__key__in=["UTB-01", "UTB-02"])
                  .values_list("area__key", "state"))  # fmt: skip
    assert states == {"UTB-01": "returned", "UTB-02": "approved"}

    page.goto(f"{live_server.url}/cycles/2026/")
    # The report's text, which opens the PDF, written before the cycle closes.
    page.fill("#id_report_summary", "Two reports reviewed; one returned.")
    page.fill("#id_report_decisions", "None this year.")
    page.click("text=Spara rapportens text")
    page.wait_for_selector("text=Rapportens text är sparad")
    assert axe_violations(page) == []
    page.click("text=Stäng och frys")
    page.click("text=Stäng ändå")  # after the question, which says what is left
    page.wait_for_selector("text=Publicera")
    assert axe_violations(page) == []
    # The report for the support area with the two reviewed reports (the whole programme's
    # is tested in tests/followup/test_pdf.py; here the point is the way it is made).
    assert "Two reports reviewed; one returned." in page.inner_text("#report-text")
    # A missing choice: said beside the field, on the same page, the choices kept.
    page.select_option("#pdf-scope", "support_area")
    page.click("text=Ta fram PDF:en")
    page.wait_for_selector("#pdf-code-error")
    assert page.locator("#pdf-scope").input_value() == "support_area"
    assert axe_violations(page) == []
    page.select_option("#pdf-code", "UTB")
    page.click("text=Ta fram PDF:en")  # answers at once with the progress page
    page.wait_for_url(re.compile(r"/cycles/2026/pdf/\d+/$"))
    assert page.locator("#pdf-status[role=status]").count() == 1
    if page.locator("#pdf-status progress").count():  # still being made: progress shown
        assert "sekund" in page.inner_text("#pdf-status")
        assert axe_violations(page) == []
    # The worker renders it meanwhile; the page polls until the link appears (the slowest
    # honest render on a loaded machine is well inside this).
    link = page.wait_for_selector("a.button[href*='/download']", timeout=120_000)
    assert axe_violations(page) == []
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"  # the worker made it
    with page.expect_download() as download_info:
        link.click()
    assert download_info.value.suggested_filename.endswith(".pdf")
    with open(download_info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_a_readers_journey(page_for, live_server, reader):
    """A reader reads the plan, filters it, opens an area, and is refused what is not theirs."""
    page = page_for("reader")
    assert page.url.endswith("/")  # readers land on the plan
    assert axe_violations(page) == []
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "resehanteringen" in r.url else None)
    page.fill("#id_q", "resehanteringen")
    page.press("#id_q", "Enter")
    page.wait_for_function("location.search.includes('q=resehanteringen')")
    page.wait_for_selector("#results >> text=1 utvecklingsområde")
    assert len(asked) == 1, asked  # Enter both changes and submits the text: one request
    assert axe_violations(page) == []
    # A choice filters as soon as it changes, the search kept.
    page.select_option("#id_support_area", "HR")
    page.wait_for_function("location.search.includes('support_area=HR')")
    assert "q=resehanteringen" in page.url
    # Back: the form shows the filter its results are for (no stale snapshot).
    page.go_back()
    page.wait_for_function("!location.search.includes('support_area=HR')")
    page.wait_for_selector("#results >> text=1 utvecklingsområde")
    assert page.input_value("#id_q") == "resehanteringen"
    assert page.input_value("#id_support_area") == ""
    page.click("a[href='/areas/HR-04/']")
    assert "Organisera resehanteringen på KTH" in page.inner_text("h1")
    assert "Uppdatera status" not in page.inner_text("main")
    assert axe_violations(page) == []
    assert page.goto(f"{live_server.url}/areas/HR-04/status/").status == 403
    assert page.goto(f"{live_server.url}/dashboard/").status == 403
    assert page.goto(f"{live_server.url}/plan/import/").status == 403


def test_a_head_takes_their_departments_report_of_the_open_cycle(
    page_for, live_server, task_worker, head
):
    """My areas → ask for the department's report → progress → download: two clicks, the
    PDF made by a real background worker, with what the head may read (a small department,
    IRO, which takes part in three of EDO's areas)."""
    import io
    from datetime import date

    from pypdf import PdfReader

    from areas.models import ActionPlan
    from followup import cycles
    from followup.models import FollowUpReport
    from tests.conftest import _user

    _user("iro-head", heads="IRO")
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=date(2025, 11, 1), deadline=date(2099, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    for key, progress in [("UTB-01", "Our draft on UTB-01."), ("UTB-04", "EDO's own draft.")]:
        report = FollowUpReport.objects.get(cycle=cycle, area__key=key)
        cycles.report_save(report=report, user=head, seen_version=report.version,
                           fields={"status": "ongoing", "traffic_light": "green",
                                   "progress": progress},
                           risks=[], benefits=[], submit=False)  # fmt: skip

    page = page_for("iro-head")
    assert page.url.endswith("/my/")
    section = page.locator("#department-reports")
    assert "Uppföljning 2025" in section.inner_text()
    assert axe_violations(page) == []
    section.get_by_role("button", name="Ladda ner rapport (PDF) IRO").click()  # click one
    page.wait_for_url(re.compile(r"/cycles/2025/pdf/\d+/$"))
    assert page.locator("#pdf-status[role=status]").count() == 1
    if page.locator("#pdf-status progress").count():  # still being made: progress shown
        assert axe_violations(page) == []
    link = page.wait_for_selector("a.button[href*='/download']", timeout=120_000)
    assert axe_violations(page) == []
    with page.expect_download() as download_info:
        link.click()  # click two
    assert download_info.value.suggested_filename == "uppfoljning-2025-iro.pdf"
    with open(download_info.value.path(), "rb") as pdf:
        pages = [
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.read())).pages
        ]
    text = " ".join(pages)
    assert all("Preliminär" in p for p in pages)
    assert "Our draft on UTB-01." in text and "EDO's own draft." not in text
    for key in ("UTB-01", "UTB-02", "UTB-03"):
        assert f"{key} " in text
