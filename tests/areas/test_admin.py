"""The admin lets the secretariat correct the plan, in Swedish, with the dates re-read on save."""

import pytest
from django.urls import reverse

from areas.models import ActionPlan, DevelopmentArea

MODELS = [
    "actionplan",
    "department",
    "supportarea",
    "group",
    "externaldependency",
    "developmentarea",
    "programmegoal",
    "riskaspect",
    "planimport",
]


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_a_searchable_changelist(client, admin_user, model):
    client.force_login(admin_user)
    url = reverse(f"admin:areas_{model}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "KTH"}).status_code == 200


@pytest.mark.django_db
def test_admin_labels_are_swedish(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("admin:index")).content.decode()
    for label in [
        "Utvecklingsområden",
        "Stödområden",
        "Avdelningar",
        "Handlingsplaner",
        "Riskaspekter",
    ]:
        assert label in html


@pytest.mark.django_db
def test_non_staff_cannot_open_the_admin(client, reader):
    client.force_login(reader)
    response = client.get(reverse("admin:areas_developmentarea_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_saving_an_area_in_the_admin_reads_its_planned_text(client, admin_user):
    client.force_login(admin_user)
    area = DevelopmentArea.objects.get(key="HR-03")
    url = reverse("admin:areas_developmentarea_change", args=[area.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["planned_text"] = "Q1 2025 – HT 2026"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    area.refresh_from_db()
    assert str(area.planned_start) == "2025-01-01"
    assert area.planned_start_precision == "quarter"
    assert str(area.planned_end) == "2026-12-31"
    assert area.planned_end_precision == "term"


@pytest.mark.django_db
def test_an_area_of_a_superseded_revision_cannot_be_edited_in_the_admin(client, admin_user):
    area = DevelopmentArea.objects.get(key="UTB-01")
    ActionPlan.objects.update(is_current=False)  # as if a later revision had replaced it
    client.force_login(admin_user)
    page = client.get(f"/admin/areas/developmentarea/{area.pk}/change/")
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()  # read-only
    response = client.post(
        f"/admin/areas/developmentarea/{area.pk}/change/", {"title": "Changed by hand"}
    )
    assert response.status_code == 403
    area.refresh_from_db()
    assert area.title != "Changed by hand"


@pytest.mark.django_db
def test_the_current_revision_is_not_switched_by_hand(client, admin_user):
    plan = ActionPlan.objects.get()
    client.force_login(admin_user)
    page = client.get(f"/admin/areas/actionplan/{plan.pk}/change/").content.decode()
    assert 'name="is_current"' not in page  # shown, not editable
    data = {
        "organisation": plan.organisation,
        "title": plan.title,
        "registration_number": plan.registration_number,
        "revision": plan.revision,
        "is_current": "",  # a forged "off"
    }
    assert client.post(f"/admin/areas/actionplan/{plan.pk}/change/", data).status_code == 302
    plan.refresh_from_db()
    assert plan.is_current
    # and no second plan is added beside the current one (later plans are revisions)
    assert client.get("/admin/areas/actionplan/add/").status_code == 403


@pytest.mark.django_db
def test_an_area_cannot_be_moved_to_another_revision_in_the_admin(client, admin_user):
    area = DevelopmentArea.objects.get(key="UTB-01")
    client.force_login(admin_user)
    page = client.get(f"/admin/areas/developmentarea/{area.pk}/change/").content.decode()
    assert 'name="plan"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["IN/F", "K[O]M", "A:B", "HR?", "*", "'UTB", "U T B"])
def test_the_admin_refuses_a_support_area_code_excel_cannot_name_a_sheet(client, admin_user, code):
    from areas.models import SupportArea

    client.force_login(admin_user)
    area = SupportArea.objects.get(code="INF")
    url = reverse("admin:areas_supportarea_change", args=[area.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()} | {"code": code}

    response = client.post(url, data)

    assert response.status_code == 200
    assert (
        "Använd bara bokstäver, siffror, bindestreck och understreck" in response.content.decode()
    )
    assert SupportArea.objects.get(pk=area.pk).code == "INF"
    data["code"] = "IN-F2"  # and a good one is saved
    assert client.post(url, data).status_code == 302
    assert SupportArea.objects.get(pk=area.pk).code == "IN-F2"
