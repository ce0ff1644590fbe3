"""The rules of who may do what, in one place."""

import pytest
from django.contrib.auth.models import AnonymousUser

from areas import permissions
from areas.models import ActionPlan, Department, DevelopmentArea


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
    assert permissions.can_edit_area(head, _area("UTB-01"))
    assert not permissions.can_edit_area(head, _area("INF-01"))
    assert not permissions.can_edit_area(head, _area("FOI-01"))  # EDO only takes part


@pytest.mark.django_db
def test_head_comments_where_their_department_takes_part(head, other_head):
    assert permissions.can_comment_on_area(head, _area("FOI-01"))
    assert not permissions.can_comment_on_area(head, _area("INF-01"))
    assert permissions.can_comment_on_area(other_head, _area("UTB-04"))
    assert not permissions.can_edit_area(other_head, _area("UTB-04"))


@pytest.mark.django_db
def test_secretariat_and_admin_edit_everything(secretariat, admin_user):
    for user in (secretariat, admin_user):
        assert all(permissions.can_edit_area(user, a) for a in DevelopmentArea.objects.all())


@pytest.mark.django_db
def test_readers_council_and_anonymous_change_nothing(reader, council):
    area = _area("UTB-01")
    for user in (reader, council, AnonymousUser()):
        assert not permissions.can_edit_area(user, area)
        assert not permissions.can_comment_on_area(user, area)
    assert permissions.can_view_plan(reader) and permissions.can_view_plan(council)
    assert not permissions.can_view_plan(AnonymousUser())


@pytest.mark.django_db
def test_an_inactive_user_may_do_nothing(head):
    head.is_active = False
    assert not permissions.can_view_plan(head)
    assert not permissions.can_edit_area(head, _area("UTB-01"))


@pytest.mark.django_db
def test_nobody_edits_an_earlier_revision(secretariat, head):
    ActionPlan.objects.update(is_current=False)
    area = _area("UTB-01")
    assert not permissions.can_edit_area(secretariat, area)
    assert not permissions.can_edit_area(head, area)


@pytest.mark.django_db
def test_reassigning_the_responsible_department_moves_the_right_to_edit(head, other_head):
    area = _area("UTB-01")
    area.responsible_department = Department.objects.get(code="PD")
    area.save()
    assert permissions.can_edit_area(other_head, _area("UTB-01"))
    assert not permissions.can_edit_area(head, _area("UTB-01"))
