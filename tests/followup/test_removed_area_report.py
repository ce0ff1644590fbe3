"""A published report stays readable when a later revision of the plan removes its area."""

from datetime import date

import pytest

from areas.models import ActionPlan, DevelopmentArea
from followup import cycles
from followup.models import FollowUpReport
from tests.areas.excel_helpers import edited, exported, find_row
from tests.areas.test_excel_round_trip import apply

pytestmark = pytest.mark.django_db

FIELDS = {"status": "ongoing", "traffic_light": "amber", "traffic_light_reason": "Resurser",
          "progress": "Rutinerna för arkivet är utkastade.", "next_steps": "", "revised_end_text": ""}  # fmt: skip


@pytest.fixture
def published_then_removed(secretariat):
    plan = ActionPlan.objects.get()
    cycle = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    report = FollowUpReport.objects.get(cycle=cycle, area__key="UTB-15")
    cycles.report_save(report=report, user=secretariat, seen_version=report.version, fields=FIELDS,
                       risks=[], benefits=[], submit=True)  # fmt: skip
    cycles.cycle_close(cycle=cycle)
    cycles.cycle_publish(cycle=cycle)

    def remove(wb):
        wb["UTB"].delete_rows(find_row(wb["UTB"], "UTB-15"))

    new, change_set = apply(edited(exported(), remove))
    assert [item["key"] for item in change_set.removed] == ["UTB-15"]
    assert DevelopmentArea.objects.get(key="UTB-15").plan != new  # stays with the old revision
    return cycle


@pytest.mark.parametrize("role", ["reader", "head", "council", "secretariat"])
def test_the_report_of_a_removed_area_still_opens(request, client, published_then_removed, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get("/cycles/2025/reports/UTB-15/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Rutinerna för arkivet är utkastade." in html
    assert "En senare revidering av planen tog bort det här utvecklingsområdet" in html
    assert 'href="/areas/UTB-15/"' not in html  # the area is no longer in the plan
    assert client.get("/areas/UTB-15/").status_code == 404


def test_the_published_cycle_still_lists_the_report_of_a_removed_area(client, reader,
                                                                    published_then_removed):  # fmt: skip
    client.force_login(reader)
    assert "/cycles/2025/reports/UTB-15/" in client.get("/cycles/2025/").content.decode()
