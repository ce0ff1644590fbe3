"""Changes made in the admin are recorded: who, when, old value and new value."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from areas.models import Department, DevelopmentArea, PlanChange


def _admin_post(client, area: DevelopmentArea, **changes):
    url = reverse("admin:areas_developmentarea_change", args=[area.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(changes)
    return client.post(url, data)


@pytest.fixture
def secretariat_admin(client, secretariat):
    call_command("setup_roles", verbosity=0)
    secretariat.is_staff = True
    secretariat.save()
    client.force_login(secretariat)
    return client


@pytest.mark.django_db
def test_secretariat_reassigns_an_area_and_the_change_is_recorded(secretariat_admin, secretariat):
    area = DevelopmentArea.objects.get(key="UTB-01")
    pd = Department.objects.get(code="PD")
    response = _admin_post(secretariat_admin, area, responsible_department=pd.pk,
                           why="A corrected why.")  # fmt: skip
    assert response.status_code == 302
    changes = {c.field: c for c in PlanChange.objects.all()}
    assert set(changes) == {"ansvarig avdelning", "varför"}
    assert changes["ansvarig avdelning"].old_value.startswith("EDO")
    assert changes["ansvarig avdelning"].new_value.startswith("PD")
    assert changes["varför"].old_value.startswith("Förslaget har funnits sedan 2014")
    assert changes["varför"].new_value == "A corrected why."
    assert all(c.changed_by == secretariat and c.area == area for c in changes.values())
    html = secretariat_admin.get("/areas/UTB-01/").content.decode()
    assert "Ändringar i planen" in html and "A corrected why." in html


@pytest.mark.django_db
def test_many_to_many_changes_are_recorded_with_both_sides(secretariat_admin):
    area = DevelopmentArea.objects.get(key="UTB-07")  # participating: ... UHR
    kept = [d.pk for d in area.participating_departments.exclude(code="UHR")]
    _admin_post(secretariat_admin, area, participating_departments=kept)
    change = PlanChange.objects.get()
    assert "UHR" in change.old_value and "UHR" not in change.new_value


@pytest.mark.django_db
def test_secretariat_assigns_heads_and_that_is_recorded(secretariat_admin, reader):
    edo = Department.objects.get(code="EDO")
    url = reverse("admin:areas_department_change", args=[edo.pk])
    form = secretariat_admin.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["heads"] = [reader.pk]
    assert secretariat_admin.post(url, data).status_code == 302
    assert list(edo.heads.all()) == [reader]
    change = PlanChange.objects.get()
    assert change.field == "chefer" and change.new_value == "reader"


@pytest.mark.django_db
def test_an_unchanged_save_records_nothing(secretariat_admin):
    _admin_post(secretariat_admin, DevelopmentArea.objects.get(key="UTB-01"))
    assert not PlanChange.objects.exists()


@pytest.mark.django_db
def test_history_cannot_be_edited_or_deleted_in_the_admin(client, admin_user, head):
    from followup.models import StatusUpdate
    from followup.services import status_update_create

    update = status_update_create(area=DevelopmentArea.objects.get(key="UTB-01"), author=head,
                                  seen_version=0, status="ongoing", traffic_light="green")  # fmt: skip
    client.force_login(admin_user)
    change = reverse("admin:followup_statusupdate_change", args=[update.pk])
    assert client.get(change).status_code == 200  # it can be read ...
    response = client.post(change, {"status": "finished"})
    assert response.status_code == 403  # ... not changed
    delete = reverse("admin:followup_statusupdate_delete", args=[update.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert StatusUpdate.objects.get().status == "ongoing"
    assert client.get(reverse("admin:followup_statusupdate_add")).status_code == 403


@pytest.mark.django_db
def test_setup_roles_is_idempotent(capsys, kth_plan):
    call_command("setup_roles")
    assert "Created role groups: secretariat, council, reader." in capsys.readouterr().out
    call_command("setup_roles")
    assert "already in place" in capsys.readouterr().out
