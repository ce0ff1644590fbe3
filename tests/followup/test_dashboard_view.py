"""The council's dashboard: numbers that add up and link on, accessible charts, fixed queries."""

import re
from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from areas.models import ActionPlan, DevelopmentArea, ExternalDependency, RiskAspect
from followup import cycles
from followup.models import FollowUpReport, GoalAssessment, IndicatorValue, Risk
from followup.services import status_update_create

URL = "/dashboard/"


@pytest.fixture
def council_client(client, council):
    client.force_login(council)
    return client


def _report(key, user, status, light="green", **extra):
    area = DevelopmentArea.objects.get(key=key)
    reason = "" if light == "green" else "Why."
    return status_update_create(area=area, author=user, seen_version=area.status_version,
                                status=status, traffic_light=light, traffic_light_reason=reason,
                                **extra)  # fmt: skip


def _row(html: str, label: str) -> list[str]:
    row = html.split(label, 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td>(?:<a [^>]*>)?([^<]*)", row)


@pytest.mark.django_db
def test_counts_per_support_area_and_their_links(council_client, secretariat, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: date(2024, 1, 15))
    _report("HR-01", secretariat, "ongoing", "amber")
    _report("HR-02", secretariat, "finished")
    html = council_client.get(URL).content.decode()
    cells = _row(html, "3.3 HR-stöd</a></th>")
    # areas, not reported, ongoing, finished, green, amber, red, reviewer, late, stale
    assert cells[:8] == ["4", "2", "1", "1", "1", "1", "0", "–"]
    assert cells[8] == "2"  # HR-01 (Q4 2023, ongoing) and HR-03 (2023, no report) are late
    assert 'href="/?support_area=HR&amp;traffic_light=amber">1<' in html
    assert 'href="/?support_area=HR&amp;late=on">2<' in html
    utb = _row(html, "3.1 Utbildningsadministrativt stöd</a></th>")
    assert utb[0] == "18"  # with no cycle yet, every area of the plan, the upcoming too
    assert "3 kommande utvecklingsområden är inte beslutade än" in html


@pytest.mark.django_db
def test_stale_areas_and_the_plan_filter_they_link_to(council_client, secretariat, reader):
    update = _report("HR-01", secretariat, "ongoing")
    update.created_at = update.created_at.replace(year=2020)
    update.save()
    _report("HR-02", secretariat, "ongoing")
    html = council_client.get(URL).content.decode()
    assert _row(html, "3.3 HR-stöd</a></th>")[9] == "3"  # HR-01 (old), HR-03 and HR-04 (none)
    keys = re.findall(
        r'href="/areas/([^/"]+)/"',
        council_client.get("/?support_area=HR&stale=on").content.decode(),
    )
    assert keys == ["HR-01", "HR-03", "HR-04"]


@pytest.mark.django_db
def test_charts_are_accessible_images_with_their_data(council_client, kth_plan):
    html = council_client.get(URL).content.decode()
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 4  # status, traffic lights, timeline, dependencies (no cycle: no heat map)
    for svg in svgs:
        # "group", not "img": the charts hold links to what they count.
        assert 'role="group"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert html.count("Visa data som tabell") == 3  # the graph has its list instead
    assert "Status per stödområde" in html


@pytest.mark.django_db
def test_timeline_shows_precision_open_ends_revised_ends_and_the_undated(
    council_client, secretariat
):
    _report("UTB-01", secretariat, "ongoing", revised_end_text="VT 2025")
    html = council_client.get(URL).content.decode()
    timeline = html.split('id="timeline-chart-title"')[1].split("</svg>")[0]
    hr03 = timeline.split("HR-03 ")[1].split("</rect>")[0]  # "2023": a year
    assert 'stroke-dasharray="1.5 2.5"' in hr03
    inf22 = timeline.split("INF-22 ")[1].split("</rect>")[0]  # "mars 2023 - mars 2024": months
    assert "stroke-dasharray" not in inf22
    inf02 = timeline.split("INF-02 ")[1].split("</rect>")[0]  # started 2023, no end
    assert 'fill-opacity="0.35"' in inf02
    assert "revised expected end" in timeline or "reviderat förväntat slut" in timeline
    undated = html.split("Odaterade utvecklingsområden")[1].split("</ul>")[0]
    assert (
        "FOI-02" in undated and "Snart" in undated and "snart; planen anger inget datum" in undated
    )


@pytest.mark.django_db
def test_a_blocked_dependency_lights_up_everything_downstream(council_client, kth_plan):
    portfolio = ExternalDependency.objects.get(code="IT-PORTFOLIO")
    portfolio.state = "blocked"
    portfolio.save()
    html = council_client.get(URL).content.decode()
    listing = html.split("<strong>IT-portföljen</strong>")[1].split("</ul>")[0]
    assert "blockerat" in listing and "håller upp områdena nedan" in listing
    assert 'href="/areas/FOI-10/"' in listing
    assert re.search(
        r'href="/areas/LED-01/">LED-01</a>[^<]*<span class="help">\(genom ett annat område\)',
        listing,
    )
    graph = html.split('id="graph-chart-title"')[1].split("</svg>")[0]
    assert graph.count('stroke="#1b1b1b" stroke-width="3"') >= 5  # the areas held up


@pytest.mark.django_db
def test_risk_heat_map_cells_link_to_their_risks(council_client, secretariat):
    plan = ActionPlan.objects.get()
    cycle = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    internal, competence = (
        RiskAspect.objects.get(code="internal"),
        RiskAspect.objects.get(code="competence"),
    )
    for key, aspect, lk, c in [("UTB-01", internal, 3, 4), ("UTB-02", internal, 3, 4),
                               ("HR-01", competence, 5, 5)]:  # fmt: skip
        Risk.objects.create(report=FollowUpReport.objects.get(area__key=key), aspect=aspect,
                            description=f"Risk of {key}", likelihood=lk, consequence=c)  # fmt: skip
    html = council_client.get(URL).content.decode()
    assert "3 risker i den valda uppföljningen." in html
    assert 'href="/dashboard/risks/?cycle=2025&amp;likelihood=3&amp;consequence=4"' in html
    cell = council_client.get(
        "/dashboard/risks/?cycle=2025&likelihood=3&consequence=4"
    ).content.decode()
    assert "Risk of UTB-01" in cell and "Risk of UTB-02" in cell and "Risk of HR-01" not in cell
    only = council_client.get(URL, {"aspect": "competence"}).content.decode()
    assert "1 risk i den valda uppföljningen." in only
    assert council_client.get("/dashboard/risks/?cycle=2025&likelihood=9").status_code == 400


@pytest.mark.django_db
def test_goals_and_indicator_trends_hide_small_groups(council_client, kth_plan):
    from areas.models import Department, ProgrammeGoal

    plan = ActionPlan.objects.get()
    old = cycles.cycle_create(plan=plan, year=2024, name="Uppföljning 2024", opens_on=date(2025, 1, 1),
                              deadline=date(2025, 3, 1))  # fmt: skip
    new = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025", opens_on=date(2026, 1, 1),
                              deadline=date(2026, 3, 1))  # fmt: skip
    GoalAssessment.objects.create(
        cycle=old, goal=ProgrammeGoal.objects.get(order=2), assessment="Better."
    )
    edo, hr = Department.objects.get(code="EDO"), Department.objects.get(code="HR")
    IndicatorValue.objects.create(cycle=old, name="PULS", department=edo, value=70, respondents=20)
    IndicatorValue.objects.create(cycle=new, name="PULS", department=edo, value=74, respondents=21)
    IndicatorValue.objects.create(cycle=new, name="PULS", department=hr, value=99, respondents=2)
    html = council_client.get(URL).content.decode()
    assert "Uppföljning 2024:</strong> Better." in html
    edo_row = html.split("<td>EDO</td>")[1].split("</tr>")[0]
    assert "70.00" in edo_row and "74.00" in edo_row
    hr_row = html.split("<td>HR</td>")[1].split("</tr>")[0]
    assert "99" not in hr_row


@pytest.mark.django_db
def test_filters_narrow_every_panel_and_htmx_swaps_only_the_panels(council_client, kth_plan):
    html = council_client.get(
        URL, {"support_area": "LED"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in html and html.lstrip().startswith('<div id="panels"')
    assert "3.7 Ledningsstöd" in html and "3.1 Utbildningsadministrativt stöd" not in html
    bad = council_client.get(
        URL, {"support_area": "NOPE", "cycle": "1999", "aspect": "x"}
    ).content.decode()
    assert "Några filter kunde inte användas" in bad and "3.1 Utbildningsadministrativt stöd" in bad


@pytest.mark.django_db
def test_readers_are_refused(client, reader):
    client.force_login(reader)
    assert client.get(URL).status_code == 403


@pytest.mark.django_db
def test_query_count_is_fixed_whatever_the_number_of_areas(council_client, kth_plan):
    def count() -> int:
        council_client.get(URL)
        caches["dashboard"].clear()  # count the panels being computed, not served cached
        with CaptureQueriesContext(connection) as queries:
            council_client.get(URL)
        return len(queries)

    before = count()
    for i, area in enumerate(DevelopmentArea.objects.all()[:25]):
        area.pk, area.key, area.order = None, f"X-{i}", 200 + i
        area.save()
    assert count() == before
