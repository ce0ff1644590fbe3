"""Comments: heads of participating departments (and editors) say their piece on an area."""

import pytest
from django.test import Client
from django.urls import reverse

from areas.models import ActionPlan
from followup.models import AreaComment


def _url(key: str = "UTB-04") -> str:
    return reverse("followup:area_comment", args=[key])


@pytest.mark.django_db
def test_head_of_a_participating_department_comments(client, other_head):
    client.force_login(other_head)  # PD takes part in UTB-04
    response = client.post(_url(), {"text": "PD can lend two invigilators."})
    assert response.status_code == 302
    assert response["Location"] == "/areas/UTB-04/#history-heading"
    comment = AreaComment.objects.get()
    assert (comment.area.key, comment.author, comment.text) == (
        "UTB-04",
        other_head,
        "PD can lend two invigilators.",
    )
    html = client.get(reverse("followup:area_detail", args=["UTB-04"])).content.decode()
    assert "PD can lend two invigilators." in html
    assert "Kommentaren är sparad." in html


@pytest.mark.django_db
def test_the_responsible_head_and_the_secretariat_may_comment(client, head, secretariat):
    for user in (head, secretariat):
        client.force_login(user)
        assert client.post(_url(), {"text": f"from {user}"}).status_code == 302
    assert AreaComment.objects.count() == 2


@pytest.mark.django_db
def test_comment_form_is_shown_only_to_those_who_may_comment(client, other_head, reader):
    client.force_login(other_head)
    assert "Lägg till en kommentar" in client.get("/areas/UTB-04/").content.decode()
    assert "Lägg till en kommentar" not in client.get("/areas/UTB-01/").content.decode()
    client.force_login(reader)
    assert "Lägg till en kommentar" not in client.get("/areas/UTB-04/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["reader", "council", "other_head"])
def test_others_may_not_comment(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.post(_url("UTB-01"), {"text": "Hello"}).status_code == 403
    assert not AreaComment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Detta fält måste fyllas i."),
        ("   ", "Detta fält måste fyllas i."),
        ("x" * 5001, "Skriv högst 5000 tecken (detta har 5001)."),
        ("nul\x00", "Null-tecken är inte tillåtna."),
    ],
)
def test_bad_comments_are_refused_with_a_message(client, other_head, text, message):
    client.force_login(other_head)
    response = client.post(_url(), {"text": text})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AreaComment.objects.exists()


@pytest.mark.django_db
def test_html_in_a_comment_is_shown_as_text(client, other_head):
    client.force_login(other_head)
    client.post(_url(), {"text": "<img src=x onerror=alert(1)>"})
    html = client.get("/areas/UTB-04/").content.decode()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.django_db
def test_archived_plan_unknown_area_anonymous_csrf_and_method(client, other_head):
    assert client.post(_url(), {"text": "x"}).status_code == 302  # anonymous: to login
    client.force_login(other_head)
    assert client.get(_url()).url == "/areas/UTB-04/"  # a reload of the form: to its page
    assert client.put(_url()).status_code == 405
    assert client.post(_url("NOPE-1"), {"text": "x"}).status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(other_head)
    assert strict.post(_url(), {"text": "x"}).status_code == 403
    ActionPlan.objects.update(is_current=False)
    assert client.post(_url(), {"text": "x"}).status_code == 404
    assert not AreaComment.objects.exists()
