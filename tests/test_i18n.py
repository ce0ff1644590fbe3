"""Swedish by default, English on request, and the switch in the header works."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_pages_are_swedish_by_default(reader_client):
    html = reader_client.get(reverse("followup:plan")).content.decode()
    assert '<html lang="sv">' in html
    assert "Filtrera planen" in html and "Logga ut" in html
    assert "3.3 HR-stöd" in html


@pytest.mark.django_db
def test_the_browser_language_does_not_override_the_swedish_default(reader_client):
    html = reader_client.get(reverse("followup:plan"), headers={"Accept-Language": "en-US,en"})
    assert '<html lang="sv">' in html.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_in_the_cookie_falls_back_to_swedish(reader_client):
    reader_client.cookies["django_language"] = "xx"
    assert '<html lang="sv">' in reader_client.get(reverse("followup:plan")).content.decode()


@pytest.mark.django_db
def test_the_language_switch_turns_the_interface_english(reader_client):
    response = reader_client.post(
        reverse("set_language"), {"language": "en", "next": reverse("followup:plan")}
    )
    assert response.status_code == 302
    html = reader_client.get(reverse("followup:plan")).content.decode()
    assert '<html lang="en">' in html
    assert "Filter the plan" in html and "Log out" in html
    # Support areas have English names; the plan's own text stays as decided.
    assert "3.3 HR" in html and "3.4 Finance" in html
    assert "Inresande utbytesstudenter" in html
    # Departments have English names where the plan names them (the filter lists them).
    assert "EDO – Education Support Office" in html and "HR – Human Resources Office" in html
    swedish = reader_client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert swedish.status_code == 302
    html = reader_client.get(reverse("followup:plan")).content.decode()
    assert "EDO – Avdelningen för utbildningsstöd" in html


@pytest.mark.django_db
def test_login_page_is_translated(client, kth_plan):
    html = client.get(reverse("login")).content.decode()
    assert "Logga in" in html
    assert "Användarnamn" in html


def test_counts_are_grouped_the_swedish_way_and_years_never():
    from django.template import Context, Template
    from django.utils import translation

    page = Template("{% load numbers %}{{ n|grouped }} {{ year }}")
    with translation.override("sv"):
        assert page.render(Context({"n": 7200, "year": 2025})) == "7\xa0200 2025"
    with translation.override("en"):
        assert page.render(Context({"n": 7200, "year": 2025})) == "7,200 2025"
    assert Template("{% load numbers %}{{ n|grouped }}").render(Context({"n": None})) == ""
