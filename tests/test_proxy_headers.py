"""The proxy's X-Forwarded-* headers are believed only from a trusted proxy; /health/ never
redirects."""

import pytest
from django.test import Client


@pytest.fixture
def production_like(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["vsplan.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.django_db
def test_health_answers_the_checker_over_http_without_a_redirect(production_like):
    # Straight to gunicorn: plain HTTP, the server's own address as the host.
    response = Client().get("/health/", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_other_pages_still_redirect_to_https_and_check_the_host(production_like):
    response = Client().get("/login/", HTTP_HOST="vsplan.example.org")
    assert response.status_code == 301
    assert response["Location"] == "https://vsplan.example.org/login/"
    assert Client().get("/login/", HTTP_HOST="evil.example.com").status_code == 400
    assert Client().post("/health/", HTTP_HOST="127.0.0.1:8000").status_code == 400


@pytest.mark.django_db
def test_a_trusted_proxy_may_say_the_request_came_over_https(production_like, settings, kth_plan):
    settings.VSPLAN_TRUSTED_PROXIES = ["127.0.0.1"]
    response = Client().get(
        "/login/", HTTP_HOST="vsplan.example.org", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_anyone_else_saying_https_is_not_believed(production_like, settings, kth_plan):
    settings.VSPLAN_TRUSTED_PROXIES = ["10.0.0.1"]
    response = Client().get(
        "/login/", HTTP_HOST="vsplan.example.org", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 301

