"""My areas above VSPLAN_PLAN_EXPAND_LIMIT: its rows a page at a time, the filter and sort
kept in the page links, the counts still over all the head's areas.

The head of EDO has some 30 areas in the KTH plan; here the limit is 10 and a page 5.
"""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import DevelopmentArea
from followup.services import status_update_create

URL = reverse("followup:my_areas")


def _keys(html: str) -> list[str]:
    return re.findall(r'<(?:th scope="row"|h3) id="title-([^"]+)"', html)


def _total(html: str) -> int:
    """The first count: all the head's areas."""
    return int(re.search(r"<strong>(\d+)</strong> areas</a>", html).group(1))


def _nav(html: str) -> str:
    match = re.search(r'<nav class="pages" aria-label="Pages">.*?</nav>', html, re.S)
    assert match
    return match.group(0)


@pytest.fixture(autouse=True)
def _large(settings):
    settings.VSPLAN_PLAN_EXPAND_LIMIT = 10
    settings.VSPLAN_PLAN_PAGE_SIZE = 5


@pytest.fixture
def head_client(client, head):
    client.force_login(head)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _all_keys(client, **query) -> list[str]:
    """Every row, page after page."""
    keys, page = [], 1
    while True:
        html = client.get(URL, {**query, "page": page}).content.decode()
        keys += _keys(html)
        if 'rel="next"' not in html:
            return keys
        page += 1


@pytest.mark.django_db
def test_the_rows_come_a_page_at_a_time_and_together_are_all(head_client, settings):
    settings.VSPLAN_PLAN_EXPAND_LIMIT = 500
    whole = _keys(head_client.get(URL).content.decode())
    assert len(whole) > 10
    settings.VSPLAN_PLAN_EXPAND_LIMIT = 10
    html = head_client.get(URL).content.decode()
    assert _keys(html) == whole[:5]
    assert _total(html) == len(whole)  # the counts are of all the head's areas
    pages = -(-len(whole) // 5)
    assert f"Areas 1–5 of {len(whole)}" in html
    nav = _nav(html)
    assert f"Page 1 of {pages}" in nav
    assert 'href="/my/?page=2" rel="next"' in nav
    assert _all_keys(head_client) == whole


@pytest.mark.django_db
def test_the_filter_and_sort_are_kept_in_the_page_links(head_client, head):
    html = head_client.get(URL, {"sort": "-title"}).content.decode()
    assert 'href="/my/?sort=-title&amp;page=2"' in _nav(html)
    by_title = _all_keys(head_client, sort="-title")
    titles = dict(DevelopmentArea.objects.values_list("key", "title"))
    assert [titles[k].casefold() for k in by_title] == sorted(
        (titles[k].casefold() for k in by_title), reverse=True
    )
    # A filter whose rows fit on one page has no page links.
    area = DevelopmentArea.objects.get(key="UTB-01")
    status_update_create(area=area, author=head, seen_version=0, status="ongoing",
                         traffic_light="red", traffic_light_reason="No staff.")  # fmt: skip
    red = head_client.get(URL, {"show": "red"}).content.decode()
    assert _keys(red) == ["UTB-01"]
    assert '<nav class="pages"' not in red
    assert _total(red) == len(by_title)


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "where"), [("abc", "first"), ("0", "last"), ("99999", "last")])
def test_a_bad_page_number_shows_the_first_or_the_last_page(head_client, page, where):
    whole = _all_keys(head_client)
    keys = _keys(head_client.get(URL, {"page": page}).content.decode())
    assert keys == (whole[:5] if where == "first" else whole[(len(whole) - 1) // 5 * 5 :])


@pytest.mark.django_db
def test_the_cards_come_a_page_at_a_time_too(head_client):
    html = head_client.get(URL, {"view": "cards"}).content.decode()
    assert len(_keys(html)) == 5
    assert 'href="/my/?view=cards&amp;page=2"' in _nav(html)


@pytest.mark.django_db
def test_the_worklist_refreshes_on_its_own_page(head_client):
    html = head_client.get(URL, {"page": "2"}, headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<div id="worklist" data-hx-get="/my/?page=2"')
    assert len(_keys(html)) == 5


@pytest.mark.django_db
def test_query_count_is_the_same_paged(head_client):
    head_client.get(URL)
    for query in [{}, {"page": "2"}, {"page": "abc"}, {"view": "cards", "page": "2"}]:
        with CaptureQueriesContext(connection) as queries:
            head_client.get(URL, query)
        assert len(queries) == 13, query  # as tests/followup/test_my_areas_view.py counts
