"""Security that every page shares: CSP, login throttling, sessions, the health check."""

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import DatabaseError
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.test_settings import PROD, _manage

REPO = Path(__file__).resolve().parent.parent


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/", {}),
        ("/?support_area=HR", {"HX-Request": "true"}),
        ("/areas/UTB-01/", {}),
        ("/areas/UTB-01/status/", {"HX-Request": "true"}),
        ("/my/", {}),
        ("/areas/NOPE/", {}),
        ("/admin/", {}),
    ],
)
def test_every_response_carries_a_strict_content_security_policy(client, head, path, headers):
    head.is_staff = True
    head.save()
    client.force_login(head)
    policy = _csp(client.get(path, headers=headers))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in json.dumps(policy) and "unsafe-eval" not in json.dumps(policy)


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(client, head):
    client.force_login(head)
    for path in ["/", "/areas/UTB-01/", "/my/", "/login/"]:
        html = client.get(path).content.decode()
        assert "<script>" not in html and "<style" not in html and " style=" not in html
        assert " onclick=" not in html and "javascript:" not in html


@pytest.mark.django_db
def test_the_login_page_also_has_the_policy(client, kth_plan):
    assert "Content-Security-Policy" in client.get("/login/")


@pytest.mark.django_db
def test_logins_are_throttled_after_five_failures(client, reader):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "reader", "password": "wrong"})
        assert response.status_code == 200
    fifth = client.post(reverse("login"), {"username": "reader", "password": "wrong"})
    assert fifth.status_code == 429
    # Now even the right password is refused, with a clear message.
    locked = client.post(reverse("login"), {"username": "reader", "password": PASSWORD})
    assert locked.status_code == 429
    assert "För många misslyckade inloggningar" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    other = client.post(reverse("login"), {"username": "nobody-else", "password": "x"})
    assert other.status_code == 200  # the lock is for that username, not for everyone


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client, reader):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "reader", "password": "wrong"})
    assert (
        client.post(reverse("login"), {"username": "reader", "password": PASSWORD}).status_code
        == 302
    )
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("login"), {"username": "reader", "password": "wrong"})
    assert (
        client.post(reverse("login"), {"username": "reader", "password": PASSWORD}).status_code
        == 302
    )


@pytest.mark.django_db
def test_sessions_expire_after_a_working_day(client, reader):
    client.post(reverse("login"), {"username": "reader", "password": PASSWORD})
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert client.session.get_expiry_age() == 8 * 60 * 60


@pytest.mark.django_db
def test_health_check_reports_the_database(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_check_says_503_when_the_database_is_down(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=DatabaseError):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_production_logs_are_json_lines():
    env = PROD | {"DJANGO_LOG_LEVEL": "INFO"}
    result = _manage(
        "shell",
        "-c",
        "import logging; logging.getLogger('vsplan.test').warning('hello %s', 'IT')",
        **env,
    )
    line = [ln for ln in result.stderr.splitlines() if "hello" in ln][-1]
    record = json.loads(line)
    assert record["message"] == "hello IT"
    assert record["level"] == "WARNING" and record["logger"] == "vsplan.test"
    # ISO 8601 with its time zone, as gunicorn's lines (tests/test_logging.py).
    assert datetime.fromisoformat(record["time"]).utcoffset() is not None


def test_production_serves_hashed_static_files(tmp_path):
    env = PROD | {"DJANGO_STATIC_ROOT": str(tmp_path)}
    result = _manage("collectstatic", "--noinput", **env)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["js/htmx.min.js"]
    assert hashed != "js/htmx.min.js" and (tmp_path / hashed).exists()
    assert (tmp_path / (hashed + ".gz")).exists()


def test_gunicorn_reads_its_configuration():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "--print-config", "vsplan.wsgi"],
        cwd=REPO, env={"PATH": "/usr/bin:/bin", **PROD}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "bind" in result.stdout and "127.0.0.1:8000" in result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["x" * 300, "nul\x00name", "ü" * 151])
def test_hostile_usernames_fail_to_log_in_without_a_server_error(client, kth_plan, username):
    # Found by the hostile-input test on PostgreSQL: the throttling record once
    # stored the raw name, and a name over 255 characters broke the login page.
    response = client.post(reverse("login"), {"username": username, "password": "x"})
    assert response.status_code == 200
    from axes.models import AccessAttempt

    assert all(len(a.username) <= 150 and "\x00" not in a.username
               for a in AccessAttempt.objects.all())  # fmt: skip
