"""Logging in and out."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_login_lands_a_reader_on_the_plan(client, reader):
    response = client.post(
        reverse("login"), {"username": "reader", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain == [
        (reverse("followup:start"), 302),
        (reverse("followup:plan"), 302),
    ]


@pytest.mark.django_db
def test_login_lands_a_department_head_on_my_areas(client, head):
    response = client.post(
        reverse("login"), {"username": "head", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1] == (reverse("followup:my_areas"), 302)
    assert "Mina områden" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_shows_a_message_and_logs_nobody_in(client, reader):
    response = client.post(reverse("login"), {"username": "reader", "password": "wrong"})
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_is_protected_by_csrf(kth_plan, reader):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "reader", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(reader_client):
    assert reader_client.get(reverse("logout")).status_code == 405
    response = reader_client.post(reverse("logout"))
    assert response.status_code == 302
    assert reader_client.get(reverse("followup:plan")).status_code == 302
