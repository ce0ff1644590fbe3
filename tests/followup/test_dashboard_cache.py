"""The dashboard's panels come from the cache until the data changes, and never after."""

import pickle
from datetime import date

import pytest
from django.core.cache import caches
from django.db import transaction

from areas.models import ActionPlan, DevelopmentArea, ExternalDependency
from followup import cycles
from followup.models import FollowUpReport
from followup.services import status_update_create
from followup.versioning import data_token

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


@pytest.fixture
def council_client(client, council):
    client.force_login(council)
    return client


def _panels(html: str) -> str:
    return html[html.index('<div id="panels"') :]


def test_a_second_view_is_served_from_the_cache(council_client, django_assert_num_queries):
    first = council_client.get(URL).content.decode()
    # session, user, groups and headed departments (may they see it? the menu asks the same,
    # answered from the user object), the plan, the data token: filters and panels come
    # from the cache
    with django_assert_num_queries(6):
        second = council_client.get(URL).content.decode()
    assert _panels(second) == _panels(first)


def test_one_cached_copy_serves_every_user_and_holds_nothing_of_them(
    council_client, council, head, client
):
    council_client.get(URL)
    client.force_login(head)
    client.get(URL)
    # The test settings' cache is Django's local-memory cache; it keeps values pickled.
    entries = [pickle.loads(value) for value in caches["dashboard"]._cache.values()]  # noqa: S301
    assert len(entries) == 1  # rendered once, for both
    filters_html, panels = (part.decode() for part in entries[0])
    assert 'id="panels"' in panels and "<search>" in filters_html
    for part in (filters_html, panels):
        assert "csrf" not in part.lower()
        for user in (council, head):
            assert user.email not in part and f">{user.username}<" not in part


def _panel_text(client) -> str:
    return client.get(URL, headers={"HX-Request": "true"}).content.decode()


def test_every_kind_of_write_shows_at_once(council_client, head, secretariat):
    before = _panel_text(council_client)
    area = DevelopmentArea.objects.get(key="UTB-01")

    status_update_create(area=area, author=head, seen_version=0, status="finished",
                         traffic_light="green", progress="Done")  # fmt: skip
    after_update = _panel_text(council_client)
    assert after_update != before

    ladok = ExternalDependency.objects.get(code="LADOK")
    ladok.state = "blocked"
    ladok.save()  # as the admin does
    after_blocked = _panel_text(council_client)
    assert after_blocked != after_update and "Ladok" in after_blocked


def test_writes_without_signals_change_the_token_too(kth_plan, head, secretariat):
    plan = ActionPlan.objects.get()
    cycle = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    report = FollowUpReport.objects.get(cycle=cycle, area__key="UTB-01")
    cycles.report_save(report=report, user=head, seen_version=report.version,
                       fields={"status": "ongoing", "traffic_light": "green"}, risks=[],
                       benefits=[], submit=True)  # fmt: skip
    token = data_token()
    cycles.report_review(report=FollowUpReport.objects.get(pk=report.pk), user=secretariat,
                         approve=True, reviewer_light="green")  # fmt: skip
    assert data_token() != token  # an UPDATE, no signal
    cycles.cycle_close(cycle=cycle)
    token = data_token()
    cycles.cycle_publish(cycle=cycle)
    assert data_token() != token  # an UPDATE, no signal


def test_a_write_that_fails_leaves_the_token(kth_plan, head):
    token = data_token()
    area = DevelopmentArea.objects.get(key="UTB-01")
    with pytest.raises(RuntimeError), transaction.atomic():
        status_update_create(area=area, author=head, seen_version=0, status="ongoing",
                             traffic_light="green")  # fmt: skip
        raise RuntimeError("the request fails after the save")
    assert data_token() == token
