"""The rules of who may do what, in one place."""

import pytest
from django.contrib.auth.models import AnonymousUser

from areas.models import ActionPlan, Department, DevelopmentArea
from followup import permissions


def _area(key: str) -> DevelopmentArea:
    return DevelopmentArea.objects.select_related("plan").get(key=key)


@pytest.mark.django_db
def test_every_area_has_a_responsible_department_from_its_support_area(kth_plan):
    expected = {"UTB": "EDO", "FOI": "RSO", "HR": "HR", "EKO": "FO", "INF": "PD", "KOM": "COM",
                "LED": "MO"}  # fmt: skip
    for area in DevelopmentArea.objects.select_related("support_area", "responsible_department"):
        assert area.responsible_department.code == expected[area.support_area.code]


@pytest.mark.django_db
def test_head_edits_their_departments_areas_only(head):
    assert permissions.can_update_status(head, _area("UTB-01"))
    assert not permissions.can_update_status(head, _area("INF-01"))
    assert not permissions.can_update_status(head, _area("FOI-01"))  # EDO only takes part


@pytest.mark.django_db
def test_head_comments_where_their_department_takes_part(head, other_head):
    assert permissions.can_comment_on_area(head, _area("FOI-01"))
    assert not permissions.can_comment_on_area(head, _area("INF-01"))
    assert permissions.can_comment_on_area(other_head, _area("UTB-04"))
    assert not permissions.can_update_status(other_head, _area("UTB-04"))


@pytest.mark.django_db
def test_secretariat_and_admin_edit_everything(secretariat, admin_user):
    for user in (secretariat, admin_user):
        assert all(permissions.can_update_status(user, a) for a in DevelopmentArea.objects.all())


@pytest.mark.django_db
def test_readers_council_and_anonymous_change_nothing(reader, council):
    area = _area("UTB-01")
    for user in (reader, council, AnonymousUser()):
        assert not permissions.can_update_status(user, area)
        assert not permissions.can_comment_on_area(user, area)
    assert permissions.can_view_plan(reader) and permissions.can_view_plan(council)
    assert not permissions.can_view_plan(AnonymousUser())


@pytest.mark.django_db
def test_an_inactive_user_may_do_nothing(head):
    head.is_active = False
    assert not permissions.can_view_plan(head)
    assert not permissions.can_update_status(head, _area("UTB-01"))


@pytest.mark.django_db
def test_nobody_edits_an_earlier_revision(secretariat, head):
    ActionPlan.objects.update(is_current=False)
    area = _area("UTB-01")
    assert not permissions.can_update_status(secretariat, area)
    assert not permissions.can_update_status(head, area)


@pytest.mark.django_db
def test_reassigning_the_responsible_department_moves_the_right_to_edit(head, other_head):
    area = _area("UTB-01")
    area.responsible_department = Department.objects.get(code="PD")
    area.save()
    assert permissions.can_update_status(other_head, _area("UTB-01"))
    assert not permissions.can_update_status(head, _area("UTB-01"))


@pytest.mark.django_db
def test_the_report_rule_for_a_list_answers_as_the_rule_for_one_report(
    head, other_head, secretariat, council, reader
):
    from datetime import date

    from followup import cycles
    from followup.models import FollowUpReport

    plan = ActionPlan.objects.get()
    published = cycles.cycle_create(plan=plan, year=2024, name="Uppföljning 2024",
                                    opens_on=date(2025, 1, 1), deadline=date(2025, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=published)
    handed_in = FollowUpReport.objects.get(cycle=published, area__key="INF-01")
    cycles.report_save(report=handed_in, user=secretariat, seen_version=0, risks=[], benefits=[],
                       fields={"status": "ongoing", "traffic_light": "green"}, submit=True)  # fmt: skip
    cycles.cycle_close(cycle=published)
    cycles.cycle_publish(cycle=published)
    open_cycle = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                     opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=open_cycle)
    reports = FollowUpReport.objects.select_related("cycle", "area").prefetch_related(
        "area__participating_departments"
    )
    for user in (head, other_head, secretariat, council, reader, AnonymousUser()):
        one_by_one = {r.pk for r in reports if permissions.can_view_report(user, r)}
        as_a_list = set(
            permissions.reports_visible_to(user, FollowUpReport.objects.all()).values_list(
                "pk", flat=True
            )
        )
        assert one_by_one == as_a_list, user
        texts_one_by_one = {r.pk for r in reports if permissions.can_read_report_text(user, r)}
        texts_as_a_list = set(
            permissions.reports_readable_by(user, FollowUpReport.objects.all()).values_list(
                "pk", flat=True
            )
        )
        assert texts_one_by_one == texts_as_a_list, user
    readable = permissions.reports_readable_by(reader, published.reports.all())
    assert list(readable.values_list("area__key", flat=True)) == ["INF-01"]  # handed in
    # and the rule says something: a head reads their own open reports, not others'
    visible = permissions.reports_visible_to(head, open_cycle.reports.all())
    assert visible.filter(area__key="UTB-01").exists()
    assert not visible.filter(area__key="INF-01").exists()
