"""A development area's page: every field, dependencies both ways, participating departments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def _url(key: str) -> str:
    return reverse("followup:area_detail", args=[key])


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_page(client, kth_plan):
    response = client.get(_url("UTB-01"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_every_field_is_shown(reader_client):
    html = reader_client.get(_url("UTB-01")).content.decode()
    assert "<h1>Inresande utbytesstudenter</h1>" in html
    assert "Förslaget har funnits sedan 2014 AAE och kommer från handläggarna själva." in html
    assert "Likvärdig och rättssäker hantering och minskad sårbarhet ger ökad effektivitet." in html
    assert "VS-skolorna, EDO-IRO, EDO-EES, EDO-AUA" in html
    assert "Mobility Online" in html and "Ladok" in html and "IT-portföljen" in html
    assert "Första steg HT23 och fullt implementerat 2024" in html
    assert "HT 2023" in html and "precision" not in html  # the date says it: HT is a term
    assert "In- och utresande studenter" in html


@pytest.mark.django_db
def test_dependencies_are_shown_both_ways(reader_client):
    html = reader_client.get(_url("FOI-10")).content.decode()
    for key in ["LED-01", "LED-03", "LED-04"]:
        assert f'href="/areas/{key}/"' in html
    html = reader_client.get(_url("LED-01")).content.decode()
    assert 'href="/areas/FOI-10/"' in html
    assert "Strategisk verksamhetsanalys" in html


@pytest.mark.django_db
def test_unconfirmed_department_names_are_marked(reader_client):
    html = reader_client.get(_url("INF-01")).content.decode()
    assert "PD</a> – Fastighetsavdelningen" in html
    assert "namnet är inte bekräftat i planen" in html


@pytest.mark.django_db
def test_undated_area_says_why(reader_client):
    html = reader_client.get(_url("FOI-02")).content.decode()
    assert "Odaterad:" in html
    assert "snart; planen anger inget datum" in html


@pytest.mark.django_db
def test_footnotes_are_shown(reader_client):
    html = reader_client.get(_url("UTB-08")).content.decode()
    assert "översynen av utbildningens organisering" in html


@pytest.mark.django_db
def test_unknown_area_is_404(reader_client):
    assert reader_client.get(_url("NOPE-99")).status_code == 404


@pytest.mark.django_db
def test_other_methods_are_refused(reader_client):
    assert reader_client.post(_url("UTB-01")).status_code == 405


@pytest.mark.django_db
def test_query_count_is_fixed(reader_client):
    reader_client.get(_url("LED-01"))
    with CaptureQueriesContext(connection) as queries:
        reader_client.get(_url("LED-01"))
    # 1 session, 2 user, 3 current plan, 4 the area with support area, group,
    # plan and responsible department, 5 participating departments, 6 external
    # dependencies, 7 the support area's responsible departments, 8 areas it
    # depends on, 9 areas that depend on it, 10 status updates with authors,
    # 11 comments with authors, 12 plan changes with who made them, 13 groups of
    # the user, 14 departments the user heads (may they edit or comment?),
    # 15 the area's follow-up reports with their cycles, 16-18 what holds areas up:
    # delayed or blocked external dependencies, the links between areas, the latest
    # status of the areas linked.
    assert len(queries) == 18, [q["sql"] for q in queries]
