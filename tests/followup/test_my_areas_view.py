"""My areas: a department head's worklist, with counts that follow each update."""

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import ActionPlan, Department, DevelopmentArea
from followup import cycles
from followup.models import FollowUpReport
from followup.services import status_update_create

URL = reverse("followup:my_areas")


def _keys(html: str) -> list[str]:
    """The areas listed, in the order shown (table rows or cards)."""
    return re.findall(r'<(?:th scope="row"|h3) id="title-([^"]+)"', html)


def _row(html: str, key: str) -> str:
    row = html[html.index(f'<tr id="row-{key}">') :]
    return row[: row.index("</tr>")]


@pytest.mark.django_db
def test_head_sees_exactly_the_areas_their_department_leads_or_takes_part_in(client, head):
    client.force_login(head)
    html = client.get(URL).content.decode()
    edo = Department.objects.get(code="EDO")
    expected = set(
        DevelopmentArea.objects.filter(responsible_department=edo).values_list("key", flat=True)
    ) | set(edo.participating_in.values_list("key", flat=True))
    assert set(_keys(html)) == expected
    assert len(_keys(html)) == len(expected)  # each once, though EDO both leads and takes part
    assert {"UTB-01", "FOI-01", "HR-01", "INF-06"} <= expected
    assert "INF-01" not in expected
    # The table notes the areas the department only takes part in; the cards say both.
    assert "Din avdelning medverkar." in _row(html, "FOI-01")
    assert "Din avdelning" not in _row(html, "UTB-01")
    cards = client.get(URL, {"view": "cards"}).content.decode()
    assert "Din avdelning är ansvarig." in cards and "Din avdelning medverkar." in cards


@pytest.mark.django_db
def test_update_action_only_where_the_head_is_responsible(client, head):
    client.force_login(head)
    html = client.get(URL).content.decode()
    assert 'href="/areas/UTB-01/status/' in html
    assert 'href="/areas/FOI-01/status/' not in html  # EDO only takes part in FOI-01


@pytest.mark.django_db
def test_a_head_of_several_departments_sees_all_of_them(client, head):
    Department.objects.get(code="UHR").heads.add(head)
    client.force_login(head)
    assert "UTB-07" in _keys(client.get(URL).content.decode())
    Department.objects.get(code="PD").heads.add(head)
    assert "INF-01" in _keys(client.get(URL).content.decode())


@pytest.mark.django_db
def test_each_area_shows_its_status_and_who_reported_it(client, head):
    area = DevelopmentArea.objects.get(key="UTB-02")
    head.first_name, head.last_name = "Hedda", "Chef"
    head.save()
    status_update_create(area=area, author=head, seen_version=0, status="paused",
                         traffic_light="red", traffic_light_reason="No staff.")  # fmt: skip
    client.force_login(head)
    row = _row(client.get(URL).content.decode(), "UTB-02")
    assert "Pausad" in row and "Rött (avviker)" in row
    # The cards say who reported it, and why the light is red.
    html = client.get(URL, {"view": "cards"}).content.decode()
    card = html[html.index('id="status-UTB-02"') :]
    card = card[: card.index("</div>")]
    assert "Pausad" in card and "Rött (avviker)" in card
    assert "av Hedda Chef" in card
    assert "No staff." in card


@pytest.mark.django_db
def test_summary_counts_and_its_htmx_refresh(client, head):
    client.force_login(head)
    html = client.get(URL).content.decode()
    total = len(_keys(html))
    assert f"<strong>{total}</strong> områden" in html
    assert f"<strong>{total}</strong> ännu inte rapporterade" in html
    status_update_create(area=DevelopmentArea.objects.get(key="UTB-01"), author=head,
                         seen_version=0, status="ongoing", traffic_light="green")  # fmt: skip
    # The table refreshes its counts and its rows; the cards (which hold the open forms)
    # their counts only.
    fragment = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="worklist"')
    assert f"<strong>{total - 1}</strong> ännu inte rapporterade" in fragment
    assert '<strong>1</strong> <span class="light light-green">' in fragment
    assert "Pågående" in _row(fragment, "UTB-01")
    fragment = client.get(URL, {"view": "cards"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="summary"')
    assert f"<strong>{total - 1}</strong> ännu inte rapporterade" in fragment
    assert 'id="status-' not in fragment


@pytest.mark.django_db
def test_someone_who_heads_nothing_is_told_so(client, reader):
    client.force_login(reader)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Du är inte chef för någon avdelning" in response.content.decode()
    assert _keys(response.content.decode()) == []


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, kth_plan):
    assert client.get(URL).status_code == 302


@pytest.mark.django_db
def test_other_methods_are_refused(client, head):
    client.force_login(head)
    assert client.post(URL).status_code == 405


@pytest.mark.django_db
def test_query_count_is_fixed_whatever_the_number_of_areas(client, head):
    client.force_login(head)
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    # 1 session, 2 user, 3 current plan, 4 departments the user heads, 5 support
    # areas, 6 their responsible departments, 7 the head's areas with groups,
    # 8 their latest status updates, 9 the open cycle (none), 10-12 what holds areas
    # up (delayed or blocked dependencies, links between areas, the latest status of
    # the areas linked), 13 groups of the user (may they edit?).
    assert len(queries) == 13, [q["sql"] for q in queries]
    Department.objects.get(code="PD").heads.add(head)  # 25 more areas
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    assert len(queries) == 13


def _count(html: str, show: str) -> int:
    """The figure of the count that links to the list ``show``."""
    match = re.search(rf'<a href="[^"]*show={show}[^"]*"[^>]*><strong>(\d+)</strong>', html)
    assert match, f"no count for {show}"
    return int(match.group(1))


def _say(area_key: str, head, **fields) -> None:
    area = DevelopmentArea.objects.get(key=area_key)
    status_update_create(area=area, author=head, seen_version=area.status_version,
                         **({"status": "ongoing", "traffic_light": "green"} | fields))  # fmt: skip


@pytest.fixture
def open_cycle(kth_plan):
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=date(2025, 11, 1), deadline=date(2099, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    return cycle


@pytest.mark.django_db
def test_each_count_opens_the_areas_it_counts(client, head):
    _say("UTB-01", head, traffic_light="red", traffic_light_reason="No staff.")
    _say("UTB-02", head, traffic_light="amber", traffic_light_reason="Slow.")
    _say("UTB-03", head)
    client.force_login(head)
    html = client.get(URL).content.decode()
    everything = _keys(html)
    for show, expected in [("red", {"UTB-01"}), ("amber", {"UTB-02"}), ("green", {"UTB-03"})]:
        assert _count(html, show) == len(expected)
        listed = client.get(URL, {"show": show}).content.decode()
        assert set(_keys(listed)) == expected
        assert f"{len(expected)} av dina {len(everything)} områden visas." in listed
    not_reported = client.get(URL, {"show": "not_reported"}).content.decode()
    assert set(_keys(not_reported)) == set(everything) - {"UTB-01", "UTB-02", "UTB-03"}
    assert _count(html, "not_reported") == len(everything) - 3
    # Late: the areas whose planned end has passed and whose work is not over.
    late = client.get(URL, {"show": "late"}).content.decode()
    assert _count(html, "late") == len(_keys(late))
    assert all("Försenad" in _row(late, key) for key in _keys(late))
    assert all("Försenad" not in _row(html, key) for key in set(everything) - set(_keys(late)))
    # The cards follow the same filter.
    cards = client.get(URL, {"show": "red", "view": "cards"}).content.decode()
    assert _keys(cards) == ["UTB-01"]


@pytest.mark.django_db
def test_the_reports_to_hand_in_and_those_returned_with_their_comment(client, head, secretariat, open_cycle):  # fmt: skip
    report = FollowUpReport.objects.get(cycle=open_cycle, area__key="UTB-01")
    cycles.report_save(report=report, user=head, seen_version=report.version,
                       fields={"status": "ongoing", "traffic_light": "green", "progress": "Done a bit."},
                       risks=[], benefits=[], submit=True)  # fmt: skip
    report.refresh_from_db()
    cycles.report_review(report=report, user=secretariat, approve=False, reviewer_light="green",
                         comment="Say what the pilot showed.", notify=False)  # fmt: skip
    client.force_login(head)
    html = client.get(URL).content.decode()
    mine = FollowUpReport.objects.filter(cycle=open_cycle, area__responsible_department__code="EDO")
    assert _count(html, "to_report") == mine.count()  # all still in the head's hands
    assert _count(html, "returned") == 1
    returned = client.get(URL, {"show": "returned"}).content.decode()
    assert _keys(returned) == ["UTB-01"]
    row = _row(returned, "UTB-01")
    assert "Återskickad" in row and "Say what the pilot showed." in row
    assert 'href="/cycles/2025/reports/UTB-01/"' in row or "/cycles/2025/" in row
    # A returned report of an area EDO only takes part in is its responsible head's.
    foi = FollowUpReport.objects.get(cycle=open_cycle, area__key="FOI-01")
    foi_head = User.objects.create_user("foi-head")
    Department.objects.get(pk=foi.area.responsible_department_id).heads.add(foi_head)
    cycles.report_save(report=foi, user=foi_head, seen_version=foi.version,
                       fields={"status": "ongoing", "traffic_light": "green"},
                       risks=[], benefits=[], submit=True)  # fmt: skip
    foi.refresh_from_db()
    cycles.report_review(report=foi, user=secretariat, approve=False, reviewer_light="green",
                         comment="More.", notify=False)  # fmt: skip
    assert _count(client.get(URL).content.decode(), "returned") == 1
    # Areas EDO only takes part in are not EDO's to report.
    to_report = _keys(client.get(URL, {"show": "to_report"}).content.decode())
    assert "FOI-01" not in to_report and "UTB-01" in to_report


@pytest.mark.django_db
def test_without_an_open_cycle_the_cycle_filters_are_not_offered(client, head):
    client.force_login(head)
    html = client.get(URL).content.decode()
    assert "show=to_report" not in html and "show=returned" not in html


@pytest.mark.django_db
def test_the_table_sorts_by_any_column_both_ways(client, head):
    _say("UTB-03", head, traffic_light="red", traffic_light_reason="No staff.")
    _say("UTB-02", head, traffic_light="amber", traffic_light_reason="Slow.")
    _say("UTB-01", head)
    client.force_login(head)
    plan_order = _keys(client.get(URL).content.decode())
    by_light = client.get(URL, {"sort": "light"}).content.decode()
    assert _keys(by_light)[:3] == ["UTB-03", "UTB-02", "UTB-01"]  # red, amber, green
    assert 'aria-sort="ascending" class="col-light"><a href="/my/?sort=-light">' in by_light
    backwards = _keys(client.get(URL, {"sort": "-light"}).content.decode())
    assert backwards[:3] == ["UTB-01", "UTB-02", "UTB-03"]  # green first; nothing said stays last
    assert set(backwards) == set(plan_order)
    by_title = _keys(client.get(URL, {"sort": "title"}).content.decode())
    titles = dict(DevelopmentArea.objects.values_list("key", "title"))
    assert [titles[k].casefold() for k in by_title] == sorted(
        titles[k].casefold() for k in by_title
    )
    by_end = _keys(client.get(URL, {"sort": "end"}).content.decode())
    ends = [DevelopmentArea.objects.get(key=k).planned_end for k in by_end]
    dated = [e for e in ends if e]
    assert dated == sorted(dated) and ends[: len(dated)] == dated  # undated last
    # A sort and a filter together, and the links keep both.
    html = client.get(URL, {"sort": "-light", "show": "not_reported"}).content.decode()
    assert 'href="/my/?show=not_reported&amp;sort=light"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"show": "nonsense"}, {"sort": "-"}, {"sort": "<script>"}, {"view": "x"}])  # fmt: skip
def test_unknown_filters_and_sorts_show_everything_in_plan_order(client, head, query):
    client.force_login(head)
    expected = _keys(client.get(URL).content.decode())
    response = client.get(URL, query)
    assert response.status_code == 200
    assert _keys(response.content.decode()) == expected
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


@pytest.mark.django_db
def test_the_update_form_opens_beside_the_table_named_for_its_area(client, head):
    client.force_login(head)
    html = client.get(URL).content.decode()
    assert 'data-hx-get="/areas/UTB-01/status/?panel=1&amp;next=/my/"' in html
    assert '<div id="editor"' in html
    panel = client.get("/areas/UTB-01/status/", {"panel": "1", "next": "/my/"},
                       headers={"HX-Request": "true"}).content.decode()  # fmt: skip
    title = DevelopmentArea.objects.get(key="UTB-01").title
    assert f'<h2 class="panel-title" id="panel-title-UTB-01">UTB-01 {title}</h2>' in panel
    assert '<input type="hidden" name="panel" value="1">' in panel
    saved = client.post("/areas/UTB-01/status/", {"panel": "1", "next": "/my/", "version": 0,
                        "status": "ongoing", "traffic_light": "green"},
                        headers={"HX-Request": "true"})  # fmt: skip
    assert "UTB-01" in saved.content.decode() and 'class="panel-title"' in saved.content.decode()
    assert "statusChanged" in saved.headers["HX-Trigger"]
    # Elsewhere (the area page's card) no panel heading.
    card = client.get("/areas/UTB-01/status/", headers={"HX-Request": "true"}).content.decode()
    assert "panel-title" not in card


@pytest.mark.django_db
def test_query_count_is_the_same_filtered_and_sorted(client, head):
    client.force_login(head)
    client.get(URL)
    for query in [{"show": "red"}, {"sort": "-updated"}, {"view": "cards", "show": "late"}]:
        with CaptureQueriesContext(connection) as queries:
            client.get(URL, query)
        assert len(queries) == 13, query
