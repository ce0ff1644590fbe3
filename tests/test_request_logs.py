"""Quiet, useful logs: one line per request in development, refusals without tracebacks."""

import io
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def console():
    """What the console handler of the test settings' logging prints during the test."""
    [handler] = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db
def test_a_refusal_is_logged_in_one_line_without_a_traceback(reader_client, console):
    assert reader_client.get("/areas/HR-04/status/").status_code == 403  # PermissionDenied
    assert reader_client.get("/areas/NOPE-99/").status_code == 404  # Http404
    lines = console.getvalue().splitlines()
    assert [line.split(" django.request ", 1)[-1] for line in lines] == [
        "Forbidden (Permission denied): /areas/HR-04/status/",
        "Not Found: /areas/NOPE-99/",
    ], lines


@pytest.mark.django_db
def test_a_server_error_keeps_its_traceback(reader, console, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(reader)
    monkeypatch.setattr("followup.access.current_plan", lambda: 1 / 0)
    assert client.get("/").status_code == 500
    assert "Traceback" in console.getvalue() and "ZeroDivisionError" in console.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answer(url: str, data: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(url, data=data, timeout=60) as response:
            response.read()  # a client that hangs up early gets no line from runserver
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code


def test_the_development_server_logs_each_request_in_one_line(tmp_path):
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "vsplan.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    expected = [
        '"GET /static/css/app.css HTTP/1.1" 200 ',
        '"GET /no-such-page/ HTTP/1.1" 404 ',
        '"POST /login/ HTTP/1.1" 403 ',
    ]
    try:
        deadline = time.monotonic() + 120  # the slowest honest start on a loaded machine
        while True:
            try:
                if _answer(f"{base}/health/") == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "runserver did not start"
            time.sleep(0.2)
        assert _answer(f"{base}/static/css/app.css") == 200
        assert _answer(f"{base}/no-such-page/") == 404
        assert _answer(f"{base}/login/", data=b"username=x") == 403  # no CSRF token
        # The server writes its line after the answer: wait for the lines, not a fixed time.
        deadline = time.monotonic() + 60
        while not all(any(e in line for line in list(lines)) for e in expected):
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
        reader.join(timeout=30)
    output = "".join(lines)
    for request in expected:
        [line] = [line for line in lines if request in line]  # one line each
        assert " INFO django.server " in line or " WARNING django.server " in line
    assert output.count("Not Found: /no-such-page/") == 1  # not twice
    assert output.count("Forbidden (CSRF cookie not set.): /login/") == 1
    assert "Traceback" not in output
