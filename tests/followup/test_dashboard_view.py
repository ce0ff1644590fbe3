"""The council's dashboard: a first screen that answers, figures that are their lists,
accessible charts, a fixed number of queries."""

import re
from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from areas.models import ActionPlan, DevelopmentArea, ExternalDependency, RiskAspect
from followup import cycles, permissions
from followup.demo import create_demo_history
from followup.models import FollowUpReport, GoalAssessment, IndicatorValue, Risk
from followup.services import status_update_create

URL = "/dashboard/"


@pytest.fixture
def council_client(client, council):
    client.force_login(council)
    return client


@pytest.fixture
def demo_history(kth_plan, head, secretariat):
    """The demo's two cycles: a closed one and an open one with every kind of report,
    reviewed, some more strictly than their owners rated them."""
    assert create_demo_history(ActionPlan.objects.get())


def _report(key, user, status, light="green", **extra):
    area = DevelopmentArea.objects.get(key=key)
    reason = "" if light == "green" else "Why."
    return status_update_create(area=area, author=user, seen_version=area.status_version,
                                status=status, traffic_light=light, traffic_light_reason=reason,
                                **extra)  # fmt: skip


def _section(html: str, anchor: str) -> str:
    """A panel of the dashboard: from its section to the next panel's."""
    return html.split(f'<section id="{anchor}"', 1)[1].split('<section id="', 1)[0]


def _row(html: str, label: str) -> list[str]:
    """The cells of the overview table's row for a support area."""
    row = _section(html, "overview").split(f'<th scope="row">{label}</th>', 1)[1]
    return re.findall(r"<td>(?:<a [^>]*>)?([^<]*)", row.split("</tr>", 1)[0])


def _tiles(html: str) -> dict[str, tuple[str, str]]:
    """The first screen's figures: list shown -> (figure, link)."""
    found = re.findall(
        r'<li class="tile tile-(\w+)[^"]*"><a href="([^"]+)">\s*<span class="tile-figure">'
        r"(?:<span [^>]*></span>)?([^<]+)</span>",
        _section(html, "glance"),
    )
    return {show: (figure, link.replace("&amp;", "&")) for show, link, figure in found}


def _listed(client, link: str) -> list[str]:
    """The area keys a list page shows, and that its heading counts as many."""
    response = client.get(link)
    assert response.status_code == 200, link
    html = response.content.decode()
    keys = re.findall(r'<th scope="row"><a href="[^"]+">([A-ZÅÄÖ]+-\d+)</a>', html)
    assert f'<span class="result-count">({len(keys)})</span>' in html
    return keys


@pytest.mark.django_db
def test_council_members_land_on_the_dashboard(client, council, head, reader):
    client.force_login(council)
    assert client.get("/start/").url == URL
    client.force_login(head)
    assert client.get("/start/").url == "/my/"
    client.force_login(reader)
    assert client.get("/start/").url == "/"


@pytest.mark.django_db
def test_counts_per_support_area_and_the_lists_they_link_to(
    council_client, secretariat, monkeypatch
):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: date(2024, 1, 15))
    _report("HR-01", secretariat, "ongoing", "amber")
    _report("HR-02", secretariat, "finished")
    html = council_client.get(URL).content.decode()
    cells = _row(html, "3.3 HR-stöd")
    # areas, red, amber, green, late, held up, not reported, no update in 6 months
    assert cells == ["4", "0", "1", "1", "2", "0", "2", "2"]
    # HR-01 (Q4 2023, ongoing) and HR-03 (2023, no report) are late
    late = _section(html, "overview").split('<th scope="row">3.3 HR-stöd</th>')[1]
    link = re.search(r'<a href="([^"]*show=late[^"]*)">2</a>', late)[1].replace("&amp;", "&")
    assert _listed(council_client, link) == ["HR-01", "HR-03"]
    assert _row(html, "3.1 Utbildningsadministrativt stöd")[0] == "18"  # upcoming too
    assert "3 kommande utvecklingsområden är inte beslutade än" in html


@pytest.mark.django_db
def test_every_figure_on_the_first_screen_is_the_length_of_its_list(council_client, demo_history):
    html = council_client.get(URL).content.decode()
    tiles = _tiles(html)
    assert set(tiles) == {"handed_in", "red", "amber", "late", "held_up", "not_handed_in",
                          "disagree"}  # fmt: skip
    for show, (figure, link) in tiles.items():
        keys = _listed(council_client, link)
        if show == "handed_in":
            reports = FollowUpReport.objects.filter(cycle__year=2025)
            handed_in = [r for r in reports if r.is_handed_in]
            assert len(keys) == len(handed_in)
            assert figure == f"{round(100 * len(handed_in) / reports.count())} %"
        else:
            assert figure == str(len(keys)), show
    assert int(tiles["disagree"][0]) >= 1 and int(tiles["held_up"][0]) >= 1
    # The same with a filter: the figures and the lists narrow alike.
    narrowed = _tiles(council_client.get(URL, {"support_area": "INF"}).content.decode())
    for show in ("red", "amber", "late", "not_handed_in"):
        figure, link = narrowed[show]
        keys = _listed(council_client, link)
        assert figure == str(len(keys)) and all(k.startswith("INF-") for k in keys)


@pytest.mark.django_db
def test_matrix_cells_are_their_lists(council_client, demo_history):
    glance = _section(council_client.get(URL).content.decode(), "glance")
    matrix = glance.split('<table class="matrix">')[1].split("</table>")[0]
    cells = re.findall(r'<a href="([^"]+)">(?:<span [^>]*></span>)?(\d+)</a>', matrix)
    assert len(cells) > 10
    for link, figure in cells:
        assert len(_listed(council_client, link.replace("&amp;", "&"))) == int(figure)
    # The traffic lights carry shapes, not colour only.
    assert 'class="light light-red"' in matrix and 'class="light light-amber"' in matrix


@pytest.mark.django_db
def test_the_first_screen_names_the_highest_risks_a_user_may_read(
    client, council, head, demo_history
):
    client.force_login(council)
    top = _section(client.get(URL).content.decode(), "glance").split('class="top-risks"')[1]
    scores = [int(s) for s in re.findall(r"= <strong>(\d+)</strong>", top)]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True)
    best = max(r.likelihood * r.consequence for r in Risk.objects.filter(report__cycle__year=2025))
    assert scores[0] == best
    # A head reads only handed-in reports and their own areas' drafts: no one else's draft.
    client.force_login(head)
    html = client.get(URL).content.decode()
    keys = re.findall(r'/cycles/2025/reports/([^/]+)/">', _section(html, "glance"))
    for key in keys:
        report = FollowUpReport.objects.get(cycle__year=2025, area__key=key)
        assert permissions.can_read_report_text(head, report)
    assert keys, "the head's own areas and the handed-in reports have risks"


@pytest.mark.django_db
def test_disagreements_are_listed_for_those_who_may_see_reviews(
    client, council, head, demo_history
):
    disagree = FollowUpReport.objects.filter(cycle__year=2025).exclude(reviewer_light="")
    disagree = sorted(r.area.key for r in disagree if r.reviewer_light != r.traffic_light)
    assert disagree
    client.force_login(council)
    section = _section(client.get(URL).content.decode(), "disagreements")
    assert sorted(re.findall(r'/cycles/2025/reports/([^/]+)/">', section)) == disagree
    assert sorted(_listed(client, "/dashboard/areas/?show=disagree")) == disagree
    # Heads see the reviewers' ratings area by area only once the cycle is published.
    client.force_login(head)
    html = client.get(URL).content.decode()
    assert 'id="disagreements"' not in html and "tile-disagree" not in html
    assert client.get("/dashboard/areas/?show=disagree").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("show=everything", "Välj ett giltigt alternativ"),
        ("show=red&focus=a:NOPE-1", "Det finns inget sådant"),
        ("show=red&cycle=1999", "Välj ett giltigt alternativ"),
        ("show=red&support_area=NOPE", "Välj ett giltigt alternativ"),
        ("show=red&traffic_light=purple", "Välj ett giltigt alternativ"),
    ],
)
def test_a_list_that_cannot_be_shown_says_why(council_client, query, message):
    response = council_client.get(f"/dashboard/areas/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Listan kan inte visas" in html and message in html and "<html" in html


@pytest.mark.django_db
def test_charts_are_accessible_images_with_their_data(council_client, kth_plan):
    html = council_client.get(URL).content.decode()
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    # status, traffic lights, one timeline per support area with dated areas, dependencies
    assert len(svgs) == 2 + 6 + 1  # 3.2 has no dated area: no chart, a line instead
    for svg in svgs:
        # "group", not "img": the charts hold links to what they count.
        assert 'role="group"' in svg and "<title id=" in svg and "<desc id=" in svg
    # Each chart scrolls in a region a keyboard can reach and a screen reader names.
    assert html.count('class="chart-scroll" tabindex="0" role="region"') == len(svgs)


@pytest.mark.django_db
def test_timeline_full_titles_precision_revised_ends_and_the_undated(council_client, secretariat):
    _report("UTB-01", secretariat, "ongoing", revised_end_text="VT 2025")
    html = council_client.get(URL).content.decode()
    timeline = _section(html, "timeline")
    hr = timeline.split('id="timeline-HR-title"')[1].split("</svg>")[0]
    hr03 = hr.split('aria-label="HR-03 ')[1].split("</a>")[0]  # "2023": a year
    assert 'stroke-dasharray="1.5 2.5"' in hr03
    utb = timeline.split('id="timeline-UTB-title"')[1].split("</svg>")[0]
    # The whole title, however long, is the bar's accessible name and its tooltip.
    area = DevelopmentArea.objects.get(key="UTB-06")
    assert len(area.title) > 70 and f'aria-label="UTB-06 {area.title}: maj 2023' in utb
    assert "reviderat beräknat slut VT 2025" in utb.split('aria-label="UTB-01 ')[1].split("</a>")[0]
    inf02 = timeline.split('aria-label="INF-02 ')[1].split("</a>")[0]  # started 2023, no end
    assert 'fill-opacity="0.35"' in inf02
    # 3.2 has no dates at all: said, not left out.
    foi = timeline.split("3.2 Forskning- och innovationsstöd</h3>")[1].split("</details>")[0]
    assert "Inget av dess 10 områden har planerade datum i planen, så de har inga staplar" in foi
    assert "FOI-02" in foi and "timeline-FOI-title" not in foi


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
    held = _section(html, "dependencies").split('class="held-up-list"')[1].split("</ul>")[0]
    assert "FOI-10" in held and "IT-portföljen (blockerat)" in held


@pytest.mark.django_db
def test_the_graph_narrows_to_one_support_area_dependency_or_area(council_client, kth_plan):
    def graph(**query) -> str:
        html = council_client.get(URL, query).content.decode()
        return html.split('id="graph-chart-title"')[1].split("</svg>")[0]

    def areas(svg: str) -> set[str]:
        return set(re.findall(r'href="/areas/([^/]+)/"', svg))

    everything = areas(graph())
    crm = areas(graph(focus="x:CRM"))
    assert crm == {"KOM-01"} and crm < everything
    led = areas(graph(focus="sa:LED"))
    assert {"LED-01", "LED-03", "LED-04", "FOI-10"} <= led and not any(
        k.startswith("UTB-") for k in led
    )
    # An area: what it waits on and what waits on it, through others too.
    assert {"FOI-10", "LED-01"} <= areas(graph(focus="a:FOI-10"))
    # A focus that is not one: said beside the field, the whole graph shown.
    html = council_client.get(URL, {"focus": "x:NOPE"}).content.decode()
    assert 'id="focus-error"' in html and 'aria-invalid="true"' in html
    assert areas(html.split('id="graph-chart-title"')[1].split("</svg>")[0]) == everything


@pytest.mark.django_db
def test_risk_heat_map_cells_link_to_their_risks(council_client, secretariat):
    plan = ActionPlan.objects.get()
    cycle = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle, before_its_date=True)
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
    top = _section(html, "glance").split('class="top-risks"')[1].split("</ol>")[0]
    assert top.index("HR-01") < top.index("UTB-01")  # 25 before 12
    cell = council_client.get(
        "/dashboard/risks/?cycle=2025&likelihood=3&consequence=4"
    ).content.decode()
    assert "Risk of UTB-01" in cell and "Risk of UTB-02" in cell and "Risk of HR-01" not in cell
    only = council_client.get(URL, {"aspect": "competence"}).content.decode()
    assert "1 risk i den valda uppföljningen." in only
    bad = council_client.get("/dashboard/risks/?cycle=2025&likelihood=9")
    assert bad.status_code == 400 and "heltal från 1 till 5" in bad.content.decode()


@pytest.mark.django_db
def test_goals_and_indicator_trends_in_swedish_numbers_hide_small_groups(council_client, kth_plan):
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
    IndicatorValue.objects.create(
        cycle=old, name="PULS", department=edo, value=70.1, respondents=20
    )
    IndicatorValue.objects.create(cycle=new, name="PULS", department=edo, value=74, respondents=21)
    IndicatorValue.objects.create(cycle=new, name="PULS", department=hr, value=99, respondents=2)
    html = council_client.get(URL).content.decode()
    assert "Uppföljning 2024:</strong> Better." in html
    edo_row = html.split("<td>EDO</td>")[1].split("</tr>")[0]
    assert "70,10" in edo_row and "74,00" in edo_row and "70.1" not in edo_row
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
    assert client.get("/dashboard/areas/?show=red").status_code == 403


@pytest.mark.django_db
def test_query_count_is_fixed_whatever_the_number_of_areas(council_client, kth_plan):
    def count(path) -> int:
        council_client.get(path)
        caches["dashboard"].clear()  # count the panels being computed, not served cached
        with CaptureQueriesContext(connection) as queries:
            council_client.get(path)
        return len(queries)

    before = count(URL), count("/dashboard/areas/?show=late")
    for i, area in enumerate(DevelopmentArea.objects.all()[:25]):
        area.pk, area.key, area.order = None, f"X-{i}", 200 + i
        area.save()
    assert (count(URL), count("/dashboard/areas/?show=late")) == before
    everything = council_client.get("/dashboard/areas/").content.decode()
    assert f'<span class="result-count">({DevelopmentArea.objects.count()})</span>' in everything
