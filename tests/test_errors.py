"""A database that went away gives a clean 503 (and the next request works again)."""

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_an_unreachable_database_answers_503_with_retry_after(quiet_client, reader, monkeypatch):
    quiet_client.force_login(reader)

    def down(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr("followup.access.current_plan", down)
    response = quiet_client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Tillfälligt otillgänglig" in response.content.decode()
    monkeypatch.undo()
    assert quiet_client.get("/").status_code == 200  # and it carries on once it is back


@pytest.mark.django_db
def test_any_other_error_is_a_plain_500(quiet_client, reader, monkeypatch):
    quiet_client.force_login(reader)
    monkeypatch.setattr("followup.access.current_plan", lambda: 1 / 0)
    response = quiet_client.get("/")
    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()
    assert "ZeroDivisionError" not in response.content.decode()
