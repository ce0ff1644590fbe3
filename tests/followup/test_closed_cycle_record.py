"""A closed cycle is the record: its pages, PDF, open data and dashboard read what was frozen
at closing, and stay the same however the plan changes later."""

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from areas.models import ActionPlan, ExternalDependency, ProgrammeGoal, RiskAspect, SupportArea
from followup import cycles
from followup.models import FollowUpCycle, FollowUpReport
from followup.pdf import PdfScope, build_pdf_data, render_pdf
from followup.services import plan_revise
from tests.areas.excel_helpers import column_index, edited, exported, find_row, read

pytestmark = pytest.mark.django_db

OLD_TITLE = "Inresande utbytesstudenter"  # UTB-01 in the plan as decided
REMOVED = "UTB-02"


@pytest.fixture
def published(kth_plan, head, secretariat) -> FollowUpCycle:
    today = timezone.localdate()
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=today - timedelta(days=30),
                                deadline=today - timedelta(days=1))  # fmt: skip
    cycles.cycle_open(cycle=cycle, user=secretariat)
    for key in ("UTB-01", REMOVED):
        report = FollowUpReport.objects.get(area__key=key)
        cycles.report_save(report=report, user=head, seen_version=report.version,
                           fields={"status": "ongoing", "traffic_light": "green",
                                   "progress": f"Progress on {key}."},
                           risks=[cycles.RiskData(RiskAspect.objects.first(), "A risk.", 3, 4)],
                           benefits=[], submit=True)  # fmt: skip
    cycles.report_review(report=FollowUpReport.objects.get(area__key="UTB-01"), user=secretariat,
                         approve=True, reviewer_light="green")  # fmt: skip
    cycles.cycle_close(cycle=cycle, user=secretariat)
    cycles.cycle_publish(cycle=cycle, user=secretariat)
    cycle.refresh_from_db()
    return cycle


def _pdf(cycle) -> bytes:
    """The report of 3.1 (the support area the revision changes; faster than the whole)."""
    cycle = FollowUpCycle.objects.select_related("plan").get(pk=cycle.pk)
    scope = PdfScope("support_area", support_area=SupportArea.objects.get(code="UTB"))
    data = build_pdf_data(cycle=cycle, scope=scope, produced_by="Sam",
                          language="sv", today=timezone.localdate())  # fmt: skip
    return render_pdf(data)[2]


def _revise_the_plan(secretariat) -> None:
    """A revision that renames UTB-01 and removes UTB-02; then more changes in the admin's way."""

    def edit(wb):
        ws = wb["UTB"]
        ws.cell(find_row(ws, "UTB-01"), column_index("title")).value = "A new name"
        ws.delete_rows(find_row(ws, REMOVED))

    result = read(edited(exported(), edit))
    plan_revise(records=result.rows, read_errors=result.errors, user=secretariat,
                revision="Revision 2027", registration_number="V-2022-0218 1.3")  # fmt: skip
    ExternalDependency.objects.update(state="blocked")
    ProgrammeGoal.objects.update(title="A goal renamed")
    RiskAspect.objects.update(name_sv="Omdöpt aspekt")


def test_after_a_revision_a_closed_cycle_reads_as_it_closed(client, published, secretariat,
                                                             reader):  # fmt: skip
    before = _pdf(published)
    _revise_the_plan(secretariat)
    assert ActionPlan.objects.get(is_current=True).registration_number == "V-2022-0218 1.3"

    # The PDF: the same bytes.
    after = _pdf(published)
    assert after == before
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(after)).pages)
    assert "V-2022-0218 1.2" in text and "V-2022-0218 1.3" not in text
    assert OLD_TITLE in " ".join(text.split()) and "A new name" not in text

    client.force_login(reader)
    # The report pages: the old title; the removed area's report still there.
    page = client.get("/cycles/2025/reports/UTB-01/").content.decode()
    assert OLD_TITLE in page and "A new name" not in page
    removed = client.get(f"/cycles/2025/reports/{REMOVED}/")
    assert removed.status_code == 200
    assert "En senare revidering av planen tog bort" in removed.content.decode()
    # The open data: as it closed, the removed area included.
    data = json.loads(client.get("/data/status.json?cycle=2025").content)
    rows = {row["key"]: row for row in data["reports"]}
    assert rows["UTB-01"]["title"] == OLD_TITLE and REMOVED in rows
    # The cycle's page counts the removed area's report.
    client.force_login(secretariat)
    page = client.get("/cycles/2025/").content.decode()
    assert f"{REMOVED} " in page
    # The dashboard for that cycle: the old title, the removed area, the cycle's numbers.
    dashboard = client.get("/dashboard/?cycle=2025").content.decode()
    assert OLD_TITLE in dashboard and f"{REMOVED} " in dashboard


def test_a_closed_cycles_report_is_dated_and_judged_at_its_closing(published):
    cycle = FollowUpCycle.objects.select_related("plan").get(pk=published.pk)
    far = timezone.localdate() + timedelta(days=800)
    data = build_pdf_data(cycle=cycle, scope=PdfScope("programme"), produced_by="Sam",
                          language="sv", today=far)  # fmt: skip
    assert data.report_date == timezone.localdate(cycle.published_at)
    assert data.summary.as_of == timezone.localdate(cycle.closed_at)
    # what was late at closing, not what is late 800 days on
    now_late = build_pdf_data(cycle=cycle, scope=PdfScope("programme"), produced_by="Sam",
                              language="sv", today=timezone.localdate())  # fmt: skip
    assert data.summary.total.late == now_late.summary.total.late


def test_a_published_cycle_publishes_only_what_was_handed_in(client, published, reader):
    # UTB-03 was never submitted: not reported, and its draft text is not shown.
    report = FollowUpReport.objects.get(area__key="UTB-03")
    FollowUpReport.objects.filter(pk=report.pk).update(progress="A secret draft.")
    client.force_login(reader)
    data = json.loads(client.get("/data/status.json?cycle=2025").content)
    row = next(r for r in data["reports"] if r["key"] == "UTB-03")
    assert row["state"] == "not_reported" and row["progress"] == "" and row["status"] == ""
    page = client.get("/cycles/2025/reports/UTB-03/").content.decode()
    assert "A secret draft." not in page and "Ej rapporterad" in page
    # a handed-in one is published with its text
    handed_in = next(r for r in data["reports"] if r["key"] == "UTB-01")
    assert handed_in["progress"] == "Progress on UTB-01." and handed_in["state"] == "approved"
