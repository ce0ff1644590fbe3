"""The site's own pages: the accessibility statement (linked from every page's footer), the
favicon, and 403 pages that say what the user tried and why not."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group as AuthGroup
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from areas.models import DevelopmentArea
from vsplan.models import AccessibilityStatement

STATEMENT = reverse("accessibility")


def _english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# -- the accessibility statement ------------------------------------------------------


@pytest.mark.django_db
def test_the_statement_is_open_to_everyone_with_a_default_in_swedish_and_english(client):
    response = client.get(STATEMENT)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Tillgänglighetsredogörelse</h1>" in html
    assert "lagen (2018:1937) om tillgänglighet till digital offentlig service" in html
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    _english(client)
    html = client.get(STATEMENT).content.decode()
    assert "<h1>Accessibility statement</h1>" in html
    assert "WCAG" in html and "Digg" in html


@pytest.mark.django_db
def test_the_statement_written_in_the_admin_replaces_the_default(client):
    AccessibilityStatement.objects.create(
        text_sv="Vi uppfyller delvis kraven.\n\nKontakta oss på https://example.org/kontakt",
        text_en="We partly meet the requirements.",
    )
    html = client.get(STATEMENT).content.decode()
    assert "<p>Vi uppfyller delvis kraven.</p>" in html
    assert '<a href="https://example.org/kontakt"' in html
    assert "Digg" not in html  # the default is gone
    assert "Senast uppdaterad:" in html
    _english(client)
    assert "We partly meet the requirements." in client.get(STATEMENT).content.decode()


@pytest.mark.django_db
def test_without_an_english_text_english_readers_get_the_swedish_marked_as_swedish(client):
    AccessibilityStatement.objects.create(text_sv="Vi uppfyller kraven.")
    _english(client)
    html = client.get(STATEMENT).content.decode()
    assert '<div lang="sv"><p>Vi uppfyller kraven.</p></div>' in html


@pytest.mark.django_db
def test_the_statement_escapes_what_was_written(client):
    AccessibilityStatement.objects.create(text_sv="<script>alert(1)</script>")
    html = client.get(STATEMENT).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_the_secretariat_edits_the_statement_in_the_admin(client, secretariat):
    from areas.roles import ensure_role_groups

    ensure_role_groups()
    secretariat.is_staff = True
    secretariat.save()
    client.force_login(secretariat)
    url = reverse("admin:vsplan_accessibilitystatement_add")
    response = client.post(url, {"text_sv": "Ny redogörelse.", "text_en": ""})
    assert response.status_code == 302
    assert AccessibilityStatement.objects.get().text_sv == "Ny redogörelse."
    # One statement: once written, it is changed, never added to.
    assert client.get(url).status_code == 403
    assert AuthGroup.objects.get(name="secretariat").permissions.filter(
        codename="change_accessibilitystatement"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/", "/areas/UTB-01/", "/dashboard/", "/nope/"])
def test_every_page_links_the_statement_in_its_footer(client, reader, path):
    if path != "/login/":
        client.force_login(reader)
    html = client.get(path).content.decode()
    footer = html[html.index('<footer class="site-footer">') :]
    assert f'<a href="{STATEMENT}">Tillgänglighetsredogörelse</a>' in footer


def test_the_error_pages_link_the_statement_too():
    assert f'href="{STATEMENT}"' in render_to_string("500.html")


# -- the favicon --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_favicon_is_served_and_every_page_names_it(client, reader):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    client.force_login(reader)
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    svg = client.get("/static/img/favicon.svg")
    assert svg.status_code == 200


# -- 403: what was tried, and why not -------------------------------------------------


@pytest.mark.django_db
def test_a_reader_opening_the_dashboard_is_told_about_the_dashboard_not_updating(client, reader):
    client.force_login(reader)
    response = client.get(reverse("followup:dashboard"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Du försökte öppna översikten." in html
    assert "ledningsrådet, avdelningscheferna och programsekretariatet" in html
    assert "uppdatera" not in html.lower()


@pytest.mark.django_db
def test_a_head_updating_another_departments_area_is_told_whose_it_is(client, other_head):
    client.force_login(other_head)
    response = client.get(reverse("followup:area_status", args=["UTB-01"]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Du försökte uppdatera status för UTB-01." in html
    assert "chefen för den ansvariga avdelningen (EDO)" in html


@pytest.mark.django_db
def test_a_refused_comment_and_the_audit_trail_say_so(client, reader):
    client.force_login(reader)
    html = client.post(reverse("followup:area_comment", args=["UTB-01"])).content.decode()
    assert "Du försökte kommentera UTB-01." in html
    html = client.get(reverse("followup:audit")).content.decode()
    assert "Du försökte öppna ändringsloggen." in html


@pytest.mark.django_db
def test_the_reason_is_in_the_users_language(client, reader):
    _english(client)
    client.force_login(reader)
    html = client.get(reverse("followup:dashboard")).content.decode()
    assert "You tried to open the dashboard." in html


@pytest.mark.django_db
def test_a_refusal_without_a_reason_names_what_was_tried(kth_plan, reader):
    request = RequestFactory().get("/somewhere/")
    request.user = reader
    with translation.override("sv"):
        html = render_to_string("403.html", {"exception": ""}, request=request)
    assert "Du försökte öppna /somewhere/, vilket din roll inte tillåter." in html
    assert DevelopmentArea.objects.exists()
