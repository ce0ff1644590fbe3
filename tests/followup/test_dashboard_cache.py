"""The dashboard's fragments come from the cache until the data changes, and never after:
the database itself changes the data's generation with every write, whoever makes it."""

import pickle
from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection, transaction

from areas.models import ActionPlan, DevelopmentArea, ExternalDependency
from followup import cycles
from followup.data_generation import data_generation, watched_tables
from followup.models import FollowUpReport, StatusUpdate
from followup.services import status_update_create

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
    # answered from the user object), the plan, the cycle shown (may they see its reviews?
    # a key of the copy), the data's generation: filters and panels come from the cache
    with django_assert_num_queries(7):
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
    # The filters, the figures at a glance and the panels, rendered once for both; the
    # highest risks once for those who read every report and once per user who reads
    # only some (a head: the handed-in reports and their own).
    assert len(entries) == 5
    assert sum("<search" in e for e in entries) == 1
    assert sum('id="glance"' in e for e in entries) == 1
    assert sum('id="overview"' in e for e in entries) == 1
    assert sum('id="top-risks-heading"' in e for e in entries) == 2
    for part in entries:
        assert "csrf" not in part.lower()
        for user in (council, head):
            assert user.email not in part and f">{user.username}<" not in part


def _panel_text(client) -> str:
    return client.get(URL, headers={"HX-Request": "true"}).content.decode()


def test_every_way_of_writing_shows_at_once(council_client, admin_user, client, head):
    before = _panel_text(council_client)
    area = DevelopmentArea.objects.get(key="UTB-01")

    # a service
    status_update_create(area=area, author=head, seen_version=0, status="finished",
                         traffic_light="green", progress="Done")  # fmt: skip
    after_service = _panel_text(council_client)
    assert after_service != before

    # the admin
    ladok = ExternalDependency.objects.get(code="LADOK")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/areas/externaldependency/{ladok.pk}/change/",
        {"code": "LADOK", "name": ladok.name, "kind": ladok.kind, "state": "blocked"},
    )
    assert response.status_code == 302
    after_admin = _panel_text(council_client)
    assert after_admin != after_service and "Ladok" in after_admin

    # a bulk update(), which sends no signal
    DevelopmentArea.objects.filter(key="UTB-02").update(upcoming=True)
    after_bulk = _panel_text(council_client)
    assert after_bulk != after_admin

    # raw SQL behind the ORM's back
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {StatusUpdate._meta.db_table} WHERE area_id = %s",  # noqa: S608
            [area.pk],
        )
    assert _panel_text(council_client) != after_bulk


def test_an_imported_revision_changes_the_generation(kth_plan, secretariat):
    from areas.excel import read_workbook
    from followup.services import plan_revise
    from followup.workbook import STATUS_COLUMNS
    from tests.areas.excel_helpers import column_index, edited, exported, find_row

    def retitle(wb):
        ws = wb["UTB"]
        ws.cell(find_row(ws, "UTB-01"), column_index("title")).value = "A new title"

    result = read_workbook(edited(exported(), retitle), read_only_columns=STATUS_COLUMNS)
    before = data_generation()
    plan_revise(records=result.rows, read_errors=result.errors, user=secretariat,
                revision="Revision 2027", registration_number="V-2022-0218 1.3")  # fmt: skip
    assert data_generation() != before


def test_the_cycle_steps_change_the_generation(kth_plan, head, secretariat):
    plan = ActionPlan.objects.get()
    cycle = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    report = FollowUpReport.objects.get(cycle=cycle, area__key="UTB-01")
    cycles.report_save(report=report, user=head, seen_version=report.version,
                       fields={"status": "ongoing", "traffic_light": "green"}, risks=[],
                       benefits=[], submit=True)  # fmt: skip
    generation = data_generation()
    cycles.report_review(report=FollowUpReport.objects.get(pk=report.pk), user=secretariat,
                         approve=True, reviewer_light="green")  # fmt: skip
    assert data_generation() != generation
    cycles.cycle_close(cycle=cycle)
    generation = data_generation()
    cycles.cycle_publish(cycle=cycle)
    assert data_generation() != generation


def test_a_write_that_fails_leaves_the_generation(kth_plan, head):
    generation = data_generation()
    area = DevelopmentArea.objects.get(key="UTB-01")
    with pytest.raises(RuntimeError), transaction.atomic():
        status_update_create(area=area, author=head, seen_version=0, status="ongoing",
                             traffic_light="green")  # fmt: skip
        raise RuntimeError("the request fails after the save")
    assert data_generation() == generation


def test_every_table_of_the_plan_and_its_follow_up_is_watched():
    tables = watched_tables()
    assert {"areas_developmentarea", "followup_statusupdate", "followup_risk"} <= set(tables)
    assert "areas_developmentarea_depends_on" in tables  # many-to-many tables too
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name = 'vsplan_data_generation'"
            )
        with_trigger = {row[0] for row in cursor.fetchall()}
    assert set(tables) <= with_trigger
    assert "followup_storedpdf" not in with_trigger  # storing a PDF keeps the data as it was
