"""The plan page above VSPLAN_PLAN_EXPAND_LIMIT: support areas collapsed with their counts,
each opened in place (htmx) or as a filter (a plain link), long lists a page at a time.

The KTH plan (72 areas) is shown whole at the default limit; here the limit is 20 and a
page 5 areas, so the plan is "large": INF has 25 areas, UTB 18, the others fewer.
"""

import re
from urllib.parse import parse_qsl

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import DevelopmentArea
from followup.services import status_update_create

URL = reverse("followup:plan")
HTMX = {"HX-Request": "true"}


def _area_links(html: str) -> list[str]:
    return re.findall(r'href="/areas/([^/"]+)/"', html)


def _get(client, params=None, htmx=False) -> str:
    """The page in English (its new texts are translated when the catalogues are)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(URL, params or {}, headers=HTMX if htmx else {})
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, code: str) -> str:
    match = re.search(rf'<section [^>]*id="section-{code}".*?</section>', html, re.S)
    assert match, code
    return match.group(0)


def _state(user, key: str, status: str, light: str) -> None:
    area = DevelopmentArea.objects.get(key=key)
    status_update_create(area=area, author=user, seen_version=area.status_version,
                         status=status, traffic_light=light,
                         traffic_light_reason="" if light == "green" else "Why")  # fmt: skip


@pytest.fixture(autouse=True)
def _large(settings):
    settings.VSPLAN_PLAN_EXPAND_LIMIT = 20
    settings.VSPLAN_PLAN_PAGE_SIZE = 5


def test_the_kth_plan_is_below_the_default_limit():
    from vsplan.settings import base

    assert base.VSPLAN_PLAN_EXPAND_LIMIT >= 72 * 5


@pytest.mark.django_db
def test_above_the_limit_support_areas_come_collapsed_with_their_counts(reader_client):
    html = _get(reader_client)
    assert _area_links(html) == []  # no area's row is rendered
    assert "72 development areas" in html
    assert html.count('class="support-area plan-section"') == 7
    inf = _section(html, "INF")
    assert "3.5 Infrastructure" in inf
    assert "<li>25 development areas</li>" in inf
    toggle = re.search(r'<a [^>]*id="toggle-INF"[^>]*>', inf).group(0)
    assert 'href="/?support_area=INF"' in toggle  # works without JavaScript
    assert 'aria-expanded="false"' in toggle
    assert 'data-hx-get="/?section=INF"' in toggle
    assert "Show the 25 areas" in inf


@pytest.mark.django_db
def test_each_count_links_to_the_areas_it_counts(reader_client, secretariat):
    _state(secretariat, "UTB-01", "ongoing", "red")
    _state(secretariat, "UTB-02", "ongoing", "red")
    _state(secretariat, "UTB-03", "ongoing", "green")
    _state(secretariat, "INF-01", "paused", "amber")
    utb = _section(_get(reader_client), "UTB")
    links = re.findall(r'<a href="/\?([^"]+)"><strong>(\d+)</strong>', utb)
    counts = {query.replace("&amp;", "&"): int(n) for query, n in links}
    assert counts["support_area=UTB&traffic_light=red"] == 2
    assert counts["support_area=UTB&traffic_light=green"] == 1
    assert "support_area=UTB&traffic_light=amber" not in counts  # no count of nothing
    assert counts["support_area=UTB&status=none"] == 15
    assert len(counts) >= 4
    for query, n in counts.items():
        keys = _area_links(_get(reader_client, dict(parse_qsl(query))))
        assert len(keys) == n, query
        assert all(key.startswith("UTB-") for key in keys)


@pytest.mark.django_db
def test_a_support_area_opens_in_place_a_page_at_a_time(reader_client):
    html = _get(reader_client, {"section": "INF"}, htmx=True)
    assert html.lstrip().startswith('<section class="support-area plan-section" id="section-INF"')
    assert "<html" not in html
    assert _area_links(html) == ["INF-01", "INF-02", "INF-03", "INF-04", "INF-05"]
    assert 'aria-expanded="true"' in html
    assert "Areas 1–5 of 25" in html
    nav = re.search(r"<nav [^>]*>.*?</nav>", html, re.S).group(0)
    assert 'aria-label="Pages of Infrastructure"' in nav
    assert "Page 1 of 5" in nav
    assert 'href="/?support_area=INF&amp;page=2"' in nav  # without JavaScript: the filter
    assert 'data-hx-get="/?section=INF&amp;page=2"' in nav
    assert "Previous page" not in nav
    page2 = _get(reader_client, {"section": "INF", "page": "2"}, htmx=True)
    assert _area_links(page2) == ["INF-06", "INF-07", "INF-08", "INF-09", "INF-10"]
    assert "Previous page" in page2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "first"), [("abc", "INF-01"), ("0", "INF-21"), ("99999", "INF-21"), ("", "INF-01")]
)
def test_a_bad_page_number_shows_the_first_or_the_last_page(reader_client, page, first):
    html = _get(reader_client, {"section": "INF", "page": page}, htmx=True)
    assert _area_links(html)[0] == first


@pytest.mark.django_db
def test_an_opened_support_area_collapses_again(reader_client):
    html = _get(reader_client, {"section": "INF", "closed": "1"}, htmx=True)
    assert html.lstrip().startswith('<section class="support-area plan-section" id="section-INF"')
    assert _area_links(html) == []
    assert 'aria-expanded="false"' in html


@pytest.mark.django_db
def test_an_unknown_support_area_is_not_found(reader_client):
    response = reader_client.get(URL, {"section": "NOPE"}, headers=HTMX)
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_support_area_in_place_needs_a_login(client, kth_plan):
    response = client.get(URL, {"section": "INF"}, headers=HTMX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_filter_with_more_matches_than_the_limit_shows_them_paged(reader_client):
    html = _get(reader_client, {"support_area": "INF"})
    assert _area_links(html) == ["INF-01", "INF-02", "INF-03", "INF-04", "INF-05"]
    assert "25 development areas match the filter." in html
    assert "Areas 1–5 of 25" in html
    nav = re.search(r'<nav class="pages" aria-label="Pages">.*?</nav>', html, re.S).group(0)
    assert 'href="/?support_area=INF&amp;page=2"' in nav  # the filter kept
    assert 'data-hx-target="#results"' in nav
    page5 = _get(reader_client, {"support_area": "INF", "page": "5"}, htmx=True)
    assert page5.lstrip().startswith('<div id="results"')
    assert _area_links(page5) == ["INF-21", "INF-22", "INF-23", "INF-24", "INF-25"]
    assert "Next page" not in page5
    for bad, first in [("abc", "INF-01"), ("99999", "INF-21")]:
        keys = _area_links(_get(reader_client, {"support_area": "INF", "page": bad}))
        assert keys[0] == first


@pytest.mark.django_db
def test_a_filter_with_matches_up_to_the_limit_shows_them_all(reader_client):
    html = _get(reader_client, {"support_area": "UTB"})
    assert len(_area_links(html)) == 18
    assert '<nav class="pages"' not in html
    assert "plan-section" not in html


@pytest.mark.django_db
def test_query_counts_of_the_large_plan_are_fixed(reader_client, secretariat):
    _state(secretariat, "INF-01", "ongoing", "red")

    def count(params, htmx=False) -> int:
        reader_client.get(URL, params, headers=HTMX if htmx else {})  # warm the session
        with CaptureQueriesContext(connection) as queries:
            reader_client.get(URL, params, headers=HTMX if htmx else {})
        return len(queries)

    # 1 session, 2 user, 3 current plan, 4 the areas up to the limit and one more,
    # 5-7 the counts (areas, latest status updates' lights, late areas), 8 support
    # areas, 9 their responsible departments, 10-12 the filter's choices, 13-14 the
    # navigation's My areas and Dashboard links.
    assert count({}) == 14
    # 1-3 as above, 4 the support area and 5 its responsible departments, 6-8 its counts,
    # 9 the page's count, 10 its areas, 11 their latest status updates.
    assert count({"section": "INF"}, htmx=True) == 11
    # 1-3 as above, 4 the filter's support area, 5 the matches up to the limit and one
    # more, 6 the ids of all, 7 the page's areas, 8 their latest status updates, 9 support
    # areas, 10 their responsible departments, 11-13 the filter's choices, 14-15 the
    # navigation.
    assert count({"support_area": "INF"}) == 15
    assert count({"support_area": "INF", "page": "3"}) == 15
    for i, area in enumerate(DevelopmentArea.objects.filter(support_area__code="INF")[:10]):
        area.pk, area.key, area.order = None, f"INF-X{i}", 900 + i
        area.save()
    assert count({}) == 14
    assert count({"section": "INF"}, htmx=True) == 11
    assert count({"support_area": "INF"}) == 15


def test_the_default_page_size_is_a_hundred():
    assert settings.VSPLAN_PLAN_PAGE_SIZE == 5  # overridden here; the default follows
    from vsplan.settings import base

    assert base.VSPLAN_PLAN_PAGE_SIZE == 100


@pytest.mark.django_db
def test_a_section_asked_for_without_htmx_gets_the_whole_page(reader_client):
    html = _get(reader_client, {"section": "INF"})
    assert "<html" in html
    assert html.count('class="support-area plan-section"') == 7
    assert _area_links(html) == []
