"""The plan page: support areas, groups and development areas, filterable, read-only."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import DevelopmentArea

URL = reverse("followup:plan")


def _area_links(html: str) -> list[str]:
    return re.findall(r'href="/areas/([^/"]+)/"', html)


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_page(client, kth_plan):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_reader_sees_the_whole_plan_in_its_order(reader_client):
    response = reader_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    keys = _area_links(html)
    assert keys == list(DevelopmentArea.objects.values_list("key", flat=True))
    assert len(keys) == 72
    assert "V-2022-0218 1.2" in html
    for heading in [
        "3.1 Utbildningsadministrativt stöd",
        "3.5 Infrastrukturstöd",
        "3.7 Ledningsstöd",
    ]:
        assert heading in html
    assert "<caption>Arkiv</caption>" in html
    assert "Kommande utvecklingsområden" in html


@pytest.mark.django_db
def test_planned_dates_are_shown_as_written_and_as_read(reader_client):
    html = reader_client.get(URL).content.decode()
    assert "Första steg HT23 och fullt implementerat 2024" in html
    assert "(HT 2023 – 2024)" in html
    assert "(odaterad)" in html


@pytest.mark.django_db
def test_every_user_role_can_read_the_plan(
    client, head, other_head, secretariat, council, admin_user
):
    for user in [head, other_head, secretariat, council, admin_user]:
        client.force_login(user)
        assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_filter_by_support_area(reader_client):
    response = reader_client.get(URL, {"support_area": "LED"})
    assert _area_links(response.content.decode()) == ["LED-01", "LED-02", "LED-03", "LED-04"]


@pytest.mark.django_db
def test_filter_by_department_includes_the_support_areas_it_is_responsible_for(reader_client):
    keys = _area_links(reader_client.get(URL, {"department": "UHR"}).content.decode())
    assert keys == ["UTB-07"]
    keys = _area_links(reader_client.get(URL, {"department": "VS-SCI"}).content.decode())
    assert {k.split("-")[0] for k in keys} >= {"UTB", "LED"}
    assert len(keys) == len(set(keys))  # no duplicates from the two ways of taking part


@pytest.mark.django_db
def test_free_text_search_matches_every_word_in_any_cell(reader_client):
    keys = _area_links(reader_client.get(URL, {"q": "Mobility Ladok"}).content.decode())
    assert keys == ["UTB-01", "UTB-03"]
    response = reader_client.get(URL, {"q": "ingenting-sådant"})
    assert _area_links(response.content.decode()) == []
    assert "Inget utvecklingsområde matchar filtret." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"support_area": "NOPE"},
        {"department": "'; DROP TABLE areas_department; --"},
        {"q": "x" * 201},
        {"q": "nul\x00byte"},
    ],
)
def test_bad_filter_values_show_a_message_and_the_whole_plan(reader_client, params):
    response = reader_client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Några filter kunde inte användas" in html
    assert len(_area_links(html)) == 72
    assert DevelopmentArea.objects.count() == 72


@pytest.mark.django_db
def test_htmx_request_gets_only_the_results_fragment(reader_client):
    response = reader_client.get(URL, {"support_area": "HR"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="results"')
    assert _area_links(html) == ["HR-01", "HR-02", "HR-03", "HR-04"]
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_other_methods_are_refused(reader_client):
    assert reader_client.post(URL).status_code == 405


@pytest.mark.django_db
def test_user_text_is_escaped(reader_client):
    area = DevelopmentArea.objects.get(key="HR-03")
    area.title = "<script>alert(1)</script>"
    area.save()
    html = reader_client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_query_count_is_fixed(reader_client):
    reader_client.get(URL)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        reader_client.get(URL)
    # 1 session, 2 user, 3 current plan, 4 support areas, 5 their responsible
    # departments, 6 areas with their groups, 7 each area's latest status
    # update, 8-10 the filter's choices (support areas, groups, departments),
    # 11 departments the user heads and 12 groups of the user (the navigation's
    # My areas and Dashboard links).
    assert len(queries) == 12, [q["sql"] for q in queries]


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_plan(reader_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            reader_client.get(URL)
        return len(queries)

    reader_client.get(URL)
    before = count()
    for i, area in enumerate(DevelopmentArea.objects.all()[:20], start=100):
        area.pk, area.key, area.order = None, f"X-{i}", i
        area.save()
    assert DevelopmentArea.objects.count() == 92
    assert count() == before
