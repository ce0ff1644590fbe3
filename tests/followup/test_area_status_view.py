"""The in-place status update: open the form, save, be refused, never lose anyone's work."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import ActionPlan, DevelopmentArea
from followup.models import StatusUpdate

HX = {"HX-Request": "true"}


def _url(key: str = "UTB-01") -> str:
    return reverse("followup:area_status", args=[key])


def _valid(**overrides) -> dict:
    data = {
        "version": 0,
        "status": "ongoing",
        "traffic_light": "amber",
        "traffic_light_reason": "Mobility Online is delayed.",
        "progress": "Routines drafted with the schools.",
        "next_steps": "Pilot in HT24.",
        "revised_end_text": "VT 2025",
    }
    return data | overrides


@pytest.fixture
def head_client(client, head):
    client.force_login(head)
    return client


# -- the happy paths ------------------------------------------------------------


@pytest.mark.django_db
def test_htmx_get_opens_the_form_in_place(head_client):
    response = head_client.get(_url(), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div class="status-card" id="status-UTB-01">')
    assert 'name="version" value="0"' in html
    assert 'data-hx-post="/areas/UTB-01/status/"' in html


@pytest.mark.django_db
def test_htmx_save_appends_a_signed_update_and_rerenders_the_card(head_client, head):
    response = head_client.post(_url(), _valid(), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"statusChanged": {}}
    update = StatusUpdate.objects.get()
    assert (update.area.key, update.sequence, update.author) == ("UTB-01", 1, head)
    assert (update.status, update.traffic_light) == ("ongoing", "amber")
    assert update.traffic_light_reason == "Mobility Online is delayed."
    assert (str(update.revised_end), update.revised_end_precision) == ("2025-06-30", "term")
    assert DevelopmentArea.objects.get(key="UTB-01").status_version == 1
    assert "Pågående" in html and "Gult (risk)" in html
    assert "Status sparad för UTB-01." in html
    assert 'id="live-region"' in html and 'data-hx-swap-oob="true"' in html
    assert "<form" not in html


@pytest.mark.django_db
def test_without_javascript_the_form_is_a_page_and_saving_redirects_back(head_client):
    page = head_client.get(_url(), {"next": "/my/"})
    assert page.status_code == 200
    assert "<html" in page.content.decode() and "Uppdatera status" in page.content.decode()
    response = head_client.post(_url(), _valid(next="/my/"))
    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert StatusUpdate.objects.count() == 1
    follow = head_client.get("/my/")
    assert "Status sparad för UTB-01." in follow.content.decode()


@pytest.mark.django_db
def test_an_offsite_next_is_ignored(head_client):
    response = head_client.post(_url(), _valid(next="https://evil.example/"))
    assert response["Location"] == "/areas/UTB-01/"


@pytest.mark.django_db
def test_history_is_appended_never_overwritten(head_client):
    head_client.post(_url(), _valid(), headers=HX)
    head_client.post(_url(), _valid(version=1, status="finished", traffic_light="green",
                                    traffic_light_reason=""), headers=HX)  # fmt: skip
    assert list(StatusUpdate.objects.order_by("sequence").values_list("sequence", "status")) == [
        (1, "ongoing"),
        (2, "finished"),
    ]
    html = head_client.get(reverse("followup:area_detail", args=["UTB-01"])).content.decode()
    assert html.index("Avslutad") < html.index("Mobility Online is delayed.")  # newest first


@pytest.mark.django_db
def test_the_form_is_prefilled_from_the_latest_update(head_client):
    head_client.post(_url(), _valid(), headers=HX)
    html = head_client.get(_url(), headers=HX).content.decode()
    assert 'name="version" value="1"' in html
    assert '<option value="ongoing" selected>' in html
    assert 'value="amber" checked' in html
    assert "Pilot in HT24." in html


@pytest.mark.django_db
def test_cancel_closes_the_form_in_place(head_client):
    html = head_client.get(_url(), {"cancel": "1"}, headers=HX).content.decode()
    assert "<form" not in html and "Uppdatera status" in html


@pytest.mark.django_db
def test_secretariat_may_update_any_area(client, secretariat):
    client.force_login(secretariat)
    assert client.post(_url("INF-01"), _valid(), headers=HX).status_code == 200
    assert StatusUpdate.objects.get().area.key == "INF-01"


# -- no lost updates ------------------------------------------------------------


@pytest.mark.django_db
def test_the_second_of_two_concurrent_saves_is_told_and_keeps_its_text(client, head, secretariat):
    first, second = Client(), Client()
    first.force_login(secretariat)
    second.force_login(head)
    # Both open the form on version 0 ...
    assert 'value="0"' in first.get(_url(), headers=HX).content.decode()
    assert 'value="0"' in second.get(_url(), headers=HX).content.decode()
    # ... the secretariat saves first ...
    first.post(_url(), _valid(progress="Secretariat's view."), headers=HX)
    # ... and the head's save is refused, shown what was saved, and keeps the text.
    response = second.post(_url(), _valid(progress="The head's own words."), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Någon annan sparade en statusuppdatering" in html
    assert "Secretariat&#x27;s view." in html
    assert "The head&#x27;s own words." in html
    assert 'name="version" value="1"' in html  # resubmitting is now possible
    assert list(StatusUpdate.objects.values_list("progress", flat=True)) == ["Secretariat's view."]
    resubmit = second.post(_url(), _valid(version=1, progress="The head's own words."), headers=HX)
    assert resubmit.status_code == 200
    assert StatusUpdate.objects.count() == 2


# -- bad input ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"status": ""}, "Detta fält måste fyllas i."),
        ({"status": "almost-done"}, "Välj ett giltigt alternativ."),
        ({"traffic_light": "purple"}, "Välj ett giltigt alternativ."),
        (
            {"traffic_light": "red", "traffic_light_reason": ""},
            "Ange varför trafikljuset är gult eller rött.",
        ),
        ({"progress": "x" * 5001}, "Skriv högst 5000 tecken (detta har 5001)."),
        ({"revised_end_text": "någon gång"}, "Inget slutdatum kunde läsas"),
        ({"revised_end_text": "y" * 201}, "Skriv högst 200 tecken (detta har 201)."),
        ({"next_steps": "nul\x00byte"}, "Null-tecken är inte tillåtna."),
    ],
)
def test_invalid_input_rerenders_the_form_with_a_message_and_saves_nothing(
    head_client, overrides, message
):
    response = head_client.post(_url(), _valid(**overrides), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "<form" in html
    assert StatusUpdate.objects.count() == 0
    assert DevelopmentArea.objects.get(key="UTB-01").status_version == 0


@pytest.mark.django_db
def test_invalid_input_without_javascript_shows_the_page_with_errors(head_client):
    response = head_client.post(_url(), _valid(status=""))
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert StatusUpdate.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["abc", "-1", "", "1e9x"])
def test_a_tampered_version_is_a_bad_request(head_client, version):
    response = head_client.post(_url(), _valid(version=version), headers=HX)
    assert response.status_code == 400
    assert StatusUpdate.objects.count() == 0


@pytest.mark.django_db
def test_a_version_from_the_future_is_a_conflict_not_a_save(head_client):
    response = head_client.post(_url(), _valid(version=7), headers=HX)
    assert "Någon annan sparade" in response.content.decode()
    assert StatusUpdate.objects.count() == 0


# -- who may not ----------------------------------------------------------------


@pytest.mark.django_db
def test_head_cannot_update_another_departments_area(head_client):
    assert head_client.get(_url("INF-01")).status_code == 403
    response = head_client.post(_url("INF-01"), _valid(), headers=HX)
    assert response.status_code == 403
    assert StatusUpdate.objects.count() == 0


@pytest.mark.django_db
def test_head_of_a_participating_department_cannot_update(client, other_head):
    client.force_login(other_head)  # PD takes part in UTB-04; EDO is responsible
    assert client.post(_url("UTB-04"), _valid(), headers=HX).status_code == 403
    assert StatusUpdate.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reader", "council"])
def test_readers_and_council_cannot_update(client, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(_url()).status_code == 403
    assert client.post(_url(), _valid()).status_code == 403
    assert StatusUpdate.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_and_nothing_is_saved(client, kth_plan):
    response = client.post(_url(), _valid())
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert StatusUpdate.objects.count() == 0


@pytest.mark.django_db
def test_unknown_area_is_404(head_client):
    assert head_client.post(_url("NOPE-1"), _valid()).status_code == 404


@pytest.mark.django_db
def test_an_archived_plan_cannot_be_updated(head_client):
    ActionPlan.objects.update(is_current=False)
    assert head_client.post(_url(), _valid(), headers=HX).status_code == 404
    assert StatusUpdate.objects.count() == 0


@pytest.mark.django_db
def test_csrf_is_enforced(head):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(head)
    assert strict.post(_url(), _valid(), headers=HX).status_code == 403
    assert StatusUpdate.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_refused(head_client, method):
    assert getattr(head_client, method)(_url()).status_code == 405


@pytest.mark.django_db
def test_query_counts(head_client):
    head_client.get(_url(), headers=HX)
    with CaptureQueriesContext(connection) as queries:
        head_client.get(_url(), headers=HX)
    # 1 session, 2 user, 3 current plan, 4 area (+ support area, group, plan,
    # responsible department), 5 groups of the user, 6 departments the user
    # heads, 7 latest status update, 8 its report in an open cycle (none here).
    assert len(queries) == 8, [q["sql"] for q in queries]
    with CaptureQueriesContext(connection) as queries:
        head_client.post(_url(), _valid(), headers=HX)
    # The same 8, then 9 savepoint, 10 the version-checked UPDATE, 11 its report in the
    # open cycle, locked (none here), 12 INSERT, 13 release savepoint. (The database's
    # triggers keep the data's generation, with no query.)
    assert len(queries) == 13, [q["sql"] for q in queries]
