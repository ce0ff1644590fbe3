"""One log format: gunicorn's error and access logs and the app's events are JSON lines,
each with its time zone."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from tests.test_settings import PROD

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _records(text: str) -> list[dict]:
    records = []
    for line in text.splitlines():
        record = json.loads(line)  # every line is one JSON object, or this fails
        assert datetime.fromisoformat(record["time"]).utcoffset() is not None, line
        records.append(record)
    return records


@pytest.mark.django_db(transaction=True)
def test_gunicorn_and_the_app_log_json_lines_with_a_time_zone(tmp_path):
    from django.conf import settings

    port = _free_port()
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{database['NAME']}"
    else:
        url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**database)
    env = {
        "PATH": os.environ["PATH"],
        **PROD,
        "DATABASE_URL": url,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "DJANGO_STATIC_ROOT": str(tmp_path),
    }
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "vsplan.wsgi"],
            cwd=REPO, env=env, stdout=stdout, stderr=stderr,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/") as response:
                        assert response.status == 200
                    break
                except OSError:
                    time.sleep(0.1)
            # A page on a host the app does not serve: the app logs a warning.
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/login/", headers={"Host": "evil.example.com"}
            )
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(request)  # noqa: S310 - a fixed http URL
        finally:
            server.terminate()
            server.wait(timeout=30)
    access = _records(out.read_text())
    errors = _records(err.read_text())
    health = next(r for r in access if r["path"] == "/health/")
    assert health["logger"] == "gunicorn.access" and health["status"] == 200
    assert health["method"] == "GET" and health["message"] == "GET /health/ 200"
    assert isinstance(health["duration_ms"], float)
    assert any(r["logger"] == "gunicorn.error" and "Listening at" in r["message"] for r in errors)
    assert any(r["logger"] == "django.security.DisallowedHost" for r in errors)
