"""Settings come from the environment through typed readers; production refuses unsafe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vsplan.settings.env import EnvironmentProblem, env_bool, env_int, env_list, env_str, require

REPO = Path(__file__).resolve().parent.parent


def test_env_readers_parse_and_reject(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    assert env_bool("X_BOOL", False) is True
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "12x")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", " a.example, ,b.example ")
    assert env_list("X_LIST") == ["a.example", "b.example"]
    monkeypatch.delenv("X_MISSING", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_MISSING"):
        env_str("X_MISSING")
    assert env_str("X_MISSING", "fallback") == "fallback"
    monkeypatch.delenv("Y_MISSING", raising=False)
    with pytest.raises(EnvironmentProblem, match="variables X_MISSING, Y_MISSING "):
        require("X_BOOL", "X_MISSING", "Y_MISSING")


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "VSPLAN_"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PROD = {
    "DJANGO_SETTINGS_MODULE": "vsplan.settings.prod",
    "DJANGO_SECRET_KEY": "x" * 60 + "-a-long-random-production-key",
    "DJANGO_ALLOWED_HOSTS": "vsplan.example.org",
    "DATABASE_URL": "postgres://vsplan@127.0.0.1:5432/vsplan",
    "VSPLAN_TRUSTED_PROXIES": "127.0.0.1,::1",
    "VSPLAN_SITE_URL": "https://vsplan.example.org",
}


@pytest.mark.parametrize(
    "missing",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "VSPLAN_TRUSTED_PROXIES",
        "VSPLAN_SITE_URL",
    ],
)
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PROD.items() if k != missing}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert (
        result.stderr == f"vsplan: Set the environment variable {missing} (see docs/deploy.md).\n"
    )


def test_production_names_every_missing_variable_at_once_in_one_line():
    result = _manage("check", DJANGO_SETTINGS_MODULE="vsplan.settings.prod")
    assert result.returncode == 1
    assert result.stderr == (
        "vsplan: Set the environment variables DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, "
        "DATABASE_URL, VSPLAN_SITE_URL, VSPLAN_TRUSTED_PROXIES (see docs/deploy.md).\n"
    )


def test_a_malformed_variable_is_one_line_too():
    result = _manage("check", **PROD, DJANGO_HSTS_SECONDS="a year")
    assert result.returncode == 1
    assert result.stderr == "vsplan: DJANGO_HSTS_SECONDS must be a whole number, not 'a year'.\n"


def test_gunicorn_stops_with_one_line_and_no_traceback(tmp_path):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))
    }
    environment |= {"DJANGO_SETTINGS_MODULE": "vsplan.settings.prod", "GUNICORN_WORKERS": "2",
                    "GUNICORN_BIND": "127.0.0.1:0", "HOME": str(tmp_path)}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "vsplan.wsgi"],
        cwd=REPO, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 4, output  # gunicorn's "App failed to load": it stops
    assert "Traceback" not in output
    line = (
        "vsplan: Set the environment variables DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, "
        "DATABASE_URL, VSPLAN_SITE_URL, VSPLAN_TRUSTED_PROXIES (see docs/deploy.md)."
    )
    assert output.count(line) == 1
    assert "Booting worker" not in output  # stopped before any worker started


def test_production_passes_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PROD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_trusted_proxies_must_be_addresses_or_networks():
    result = _manage("check", **PROD | {"VSPLAN_TRUSTED_PROXIES": "127.0.0.1,nginx"})
    assert result.returncode != 0
    assert "VSPLAN_TRUSTED_PROXIES must list IP addresses or networks, not 'nginx'" in result.stderr


def test_an_empty_trusted_proxies_setting_means_no_proxy():
    result = _manage("check", **PROD | {"VSPLAN_TRUSTED_PROXIES": ""})
    assert result.returncode == 0, result.stderr


# A deployment's environment file without DJANGO_SETTINGS_MODULE: manage.py, the
# worker and the WSGI module would fall back to the development settings.
DEPLOYMENT_WITHOUT_SETTINGS = {k: v for k, v in PROD.items() if k != "DJANGO_SETTINGS_MODULE"}


@pytest.mark.parametrize(
    "command",
    [
        ["manage.py", "check"],
        ["manage.py", "worker"],
        ["manage.py", "migrate"],
        ["-c", "import vsplan.wsgi"],
    ],
)
def test_a_deployment_without_its_settings_module_refuses_to_start(command):
    environment = {"PATH": os.environ["PATH"], **DEPLOYMENT_WITHOUT_SETTINGS}
    result = subprocess.run(
        [sys.executable, *command], cwd=REPO, env=environment, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "DJANGO_SETTINGS_MODULE" in result.stderr
    assert "vsplan.settings.prod" in result.stderr
    assert "DEBUG" in result.stderr


def test_development_without_a_secret_key_still_starts():
    result = _manage("check")
    assert result.returncode == 0, result.stderr
