"""Every list and aggregate, for every role, with data planted that the role must not see.

The role matrix (test_role_matrix) holds each view to the status a role gets; this holds
the pages a role may open to their content: a draft report's risks are read by the
secretariat, the council and the heads of the departments the area involves, nobody else,
on no page, in no download; a published cycle's report that was never handed in shows as
not reported, without its draft text, to everyone who was not among its readers.
"""

import io
import zipfile
from datetime import date

import pytest
from django.test import Client

from areas.models import ActionPlan, RiskAspect
from followup import cycles
from followup.models import FollowUpReport

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reader", "council", "head", "other_head", "secretariat", "admin_user"]

# What each planted text is, and who may read it: UTB-01 is EDO's (head), INF-01 PD's
# (other_head); neither takes part in the other's area.
OPEN_UTB = "HEMLIG-RISK-2025-UTB"  # a draft in the open cycle
OPEN_INF = "HEMLIG-RISK-2025-INF"
UNSENT_INF = "HEMLIG-RISK-2024-INF"  # a draft never handed in; the cycle is published
SENT_UTB = "PUBLICERAD-RISK-2024-UTB"  # handed in and published: everyone's
OVERVIEW = {"council", "secretariat", "admin_user"}
MAY_READ = {
    OPEN_UTB: OVERVIEW | {"head"},
    OPEN_INF: OVERVIEW | {"other_head"},
    UNSENT_INF: OVERVIEW | {"other_head"},
}

PAGES = [
    "/", "/my/", "/areas/UTB-01/", "/areas/INF-01/", "/plan/export.xlsx",
    "/dashboard/", "/dashboard/?cycle=2024", "/dashboard/?cycle=2025",
    "/dashboard/areas/?cycle=2025", "/dashboard/areas/?cycle=2024&show=red",
    "/dashboard/areas/?cycle=2025&show=disagree",
    "/dashboard/risks/?cycle=2025", "/dashboard/risks/?cycle=2024",
    "/dashboard/risks/?cycle=2025&likelihood=5&consequence=5",
    "/dashboard/risks/?cycle=2024&likelihood=5&consequence=5",
    "/cycles/", "/cycles/2024/", "/cycles/2025/",
    "/cycles/2024/reports/INF-01/", "/cycles/2024/reports/UTB-01/",
    "/cycles/2025/reports/INF-01/", "/cycles/2025/reports/UTB-01/",
    "/cycles/2025/reports/INF-01/history/", "/cycles/2024/reports/INF-01/history/",
    "/data/status.csv", "/data/status.json", "/data/status.json?cycle=2024",
    "/data/plan.csv", "/data/plan.json", "/public/", "/public/cycles/2024/", "/audit/",
]  # fmt: skip


def _risk(text: str) -> cycles.RiskData:
    return cycles.RiskData(aspect=RiskAspect.objects.first(), description=text, likelihood=5,
                           consequence=5, mitigation=f"{text}-ÅTGÄRD", owner=f"{text}-ÄGARE")  # fmt: skip


def _save(cycle, key: str, user, risk: str, *, submit: bool) -> None:
    report = FollowUpReport.objects.get(cycle=cycle, area__key=key)
    fields = {"status": "ongoing", "traffic_light": "green", "traffic_light_reason": "",
              "progress": "", "next_steps": "", "revised_end_text": ""}  # fmt: skip
    cycles.report_save(report=report, user=user, seen_version=report.version, fields=fields,
                       risks=[_risk(risk)], benefits=[], submit=submit)  # fmt: skip


@pytest.fixture
def planted(secretariat, settings):
    settings.VSPLAN_PUBLIC_VIEW = True  # the open-data pages too
    plan = ActionPlan.objects.get()
    old = cycles.cycle_create(plan=plan, year=2024, name="Uppföljning 2024",
                              opens_on=date(2025, 1, 1), deadline=date(2025, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=old)
    _save(old, "UTB-01", secretariat, SENT_UTB, submit=True)
    _save(old, "INF-01", secretariat, UNSENT_INF, submit=False)
    cycles.cycle_close(cycle=old)
    cycles.cycle_publish(cycle=old)
    current = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                  opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=current)
    _save(current, "UTB-01", secretariat, OPEN_UTB, submit=False)
    _save(current, "INF-01", secretariat, OPEN_INF, submit=False)


def _content(response) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "".join(archive.read(n).decode() for n in archive.namelist())
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_no_list_or_aggregate_shows_a_role_what_it_may_not_read(request, role, planted):
    client = Client()
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    leaks, seen = [], set()
    for url in PAGES:
        response = client.get(url)
        assert response.status_code < 500, url
        content = _content(response) if response.status_code == 200 else ""
        for text, readers in MAY_READ.items():
            if text in content:
                seen.add(text)
                if role not in readers:
                    leaks.append(f"{url} shows {text}")
        if SENT_UTB in content:
            seen.add(SENT_UTB)
    assert leaks == []
    # ... and the pages do show what the role may read (the test would pass on empty pages).
    expected = {text for text, readers in MAY_READ.items() if role in readers}
    if role != "anonymous":
        expected.add(SENT_UTB)
    assert seen == expected
