"""One figure, one number: the dashboard, the PDF, the cycle page and the Excel summary count
the same areas the same way (followup.summary), for the same cycle and areas."""

from datetime import timedelta

import pytest
from django.utils import timezone

from areas.models import ActionPlan, Department, SupportArea
from followup.cycle_selectors import cycle_overview
from followup.dashboard import DashboardFilters, build_dashboard
from followup.demo import setup_demo
from followup.models import FollowUpCycle
from followup.pdf import PdfScope, build_pdf_data
from followup.summary import status_chart

pytestmark = pytest.mark.django_db

FIGURES = [
    "areas",
    "by_status",
    "by_light",
    "by_reviewer_light",
    "by_report_state",
    "late",
    "upcoming",
    "stale",
]


@pytest.fixture
def demo():
    setup_demo()
    return ActionPlan.objects.get(is_current=True)


def _figures(tally) -> dict:
    return {name: getattr(tally, name) for name in FIGURES}


def _pdf(cycle, scope):
    return build_pdf_data(
        cycle=cycle, scope=scope, produced_by="x", language="sv", today=timezone.localdate()
    )


@pytest.mark.parametrize("state", ["open", "published"])
@pytest.mark.parametrize("scope", ["programme", "support_area", "department"])
def test_the_pdf_counts_what_the_dashboard_counts(demo, state, scope):
    cycle = FollowUpCycle.objects.get(state=state)
    filters = DashboardFilters(cycle=cycle)
    pdf_scope = PdfScope("programme")
    if scope == "support_area":
        filters.support_area = SupportArea.objects.get(code="UTB")
        pdf_scope = PdfScope("support_area", support_area=filters.support_area)
    elif scope == "department":
        filters.department = Department.objects.get(code="EDO")
        pdf_scope = PdfScope("department", department=filters.department)
    board = build_dashboard(demo, filters, timezone.localdate())
    data = _pdf(cycle, pdf_scope)

    assert _figures(data.summary.total) == _figures(board.summary.total)
    assert [(row.key, _figures(row)) for row in data.summary.rows] == [
        (row.key, _figures(row)) for row in board.summary.rows
    ]
    # The charts drawn from them: the same table of numbers under each.
    pdf_chart = next(c for c in data.summary_charts if c.slug == "pdf-status")
    assert pdf_chart.rows == status_chart(board.summary, "status-chart").rows
    assert data.summary.total.areas > 0 and sum(data.summary.total.by_status.values()) > 0


def test_a_closed_cycle_is_judged_at_its_closing_date(demo):
    published = FollowUpCycle.objects.get(state="published")
    later = timezone.localdate() + timedelta(days=3 * 365)
    board = build_dashboard(demo, DashboardFilters(cycle=published), later)
    data = _pdf(published, PdfScope("programme"))
    closing = timezone.localdate(published.closed_at)
    assert board.as_of == data.summary.as_of == closing  # late and stale judged then
    assert data.report_date == timezone.localdate(published.published_at)  # the record's date
    assert board.summary.total.late == data.summary.total.late


def test_the_cycle_page_counts_the_reports_as_the_dashboard_does(demo):
    cycle = FollowUpCycle.objects.get(state="open")
    overview = cycle_overview(cycle, timezone.localdate())
    board = build_dashboard(demo, DashboardFilters(cycle=cycle), timezone.localdate())
    assert overview.total.by_report_state == board.summary.total.by_report_state
    assert overview.total.completion == board.summary.total.completion
    for row in overview.by_support_area.rows:
        dashboard_row = next(r for r in board.summary.rows if r.key == row.key)
        assert row.by_report_state == dashboard_row.by_report_state


def test_the_excel_summary_counts_what_the_live_dashboard_would(demo, client):
    import io

    from django.contrib.auth.models import User
    from openpyxl import load_workbook

    from followup.standings import live_standings
    from followup.summary import summarise

    client.force_login(User.objects.get(username="reader"))  # the demo's
    wb = load_workbook(io.BytesIO(client.get("/plan/export.xlsx").content))
    total = next(r for r in wb.worksheets[0].iter_rows(values_only=True) if r[1] == "Alla")
    areas = list(demo.areas.select_related("support_area"))
    live = summarise(live_standings(areas, as_of=timezone.localdate()), as_of=timezone.localdate())
    assert total[3] == live.total.areas == 72
    assert total[-1] == live.total.late
