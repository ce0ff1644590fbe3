"""The proxy's X-Forwarded-* headers are believed only from a trusted proxy; /health/ never
redirects; a signed-in user's downloads are never stored by a cache."""

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


@pytest.fixture
def stored_pdf(kth_plan, secretariat):
    from datetime import date

    from areas.models import ActionPlan
    from followup import cycles
    from followup.models import StoredPdf

    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    return StoredPdf.objects.create(
        cycle=cycle, scope="programme", language="sv", requested_by=secretariat, state="done",
        filename="uppfoljning-2025-programme-sv.pdf", content=b"%PDF-1.7 test", sha256="0" * 64,
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/plan/export.xlsx", "/data/plan.csv", "/data/plan.json", "PDF"])
def test_a_signed_in_users_downloads_are_never_stored_by_a_cache(
    client, secretariat, stored_pdf, path
):
    client.force_login(secretariat)
    if path == "PDF":
        path = f"/cycles/2025/pdf/{stored_pdf.pk}/download/"
    response = client.get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_pages_are_not_downloads(client, secretariat):
    client.force_login(secretariat)
    assert "no-store" not in client.get("/").get("Cache-Control", "")


@pytest.mark.django_db
def test_public_open_data_without_a_login_may_be_cached(client, settings, kth_plan):
    settings.VSPLAN_PUBLIC_VIEW = True
    response = client.get("/data/plan.json")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
