"""My areas: a department head's worklist, with counts that follow each update."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import Department, DevelopmentArea
from followup.services import status_update_create

URL = reverse("followup:my_areas")


def _keys(html: str) -> list[str]:
    return re.findall(r'<h3 id="title-([^"]+)">', html)


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
    assert "Din avdelning är ansvarig." in html and "Din avdelning medverkar." in html


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
    html = client.get(URL).content.decode()
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
    fragment = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and fragment.lstrip().startswith('<section id="summary"')
    assert f"<strong>{total - 1}</strong> ännu inte rapporterade" in fragment
    assert '<strong>1</strong> <span class="light light-green">' in fragment


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
