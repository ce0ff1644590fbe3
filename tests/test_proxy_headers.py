"""The proxy's X-Forwarded-* headers are believed only from a trusted proxy."""

import pytest
from django.test import Client


@pytest.fixture
def production_like(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["vsplan.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


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

