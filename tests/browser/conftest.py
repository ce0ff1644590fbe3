"""End-to-end tests in Debian's Chromium, driven by Playwright against the live test server."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
NODE_MODULES = REPO / "node_modules"
# The longest any one step may take before it counts as failed: the slowest honest run
# (a loaded 2-core machine running the suite in parallel) with room to spare. A step
# that is done sooner never waits for it.
STEP_TIMEOUT_MS = 60_000
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
FRAGMENT = (
    '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>fragment</title></head>'
    "<body>{}</body></html>"
)

# Playwright's sync API runs an event loop in this thread; Django's ORM is used
# from the test's own code around it, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), "Install Debian's chromium package (./dev test does, as root)."
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def html_checker():
    """The Nu HTML Checker (vnu-jar) as a local web service for this test process.

    One Java process, started once and then warm, instead of one per test: a cold start
    and its first documents cost seconds of CPU each time. It checks exactly as the
    command line does (the same checker, documents sent as text/html).
    """
    assert VNU.exists(), "Run npm ci (./dev test does) to get the Nu HTML Checker (vnu-jar)."
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    checker = subprocess.Popen(
        ["java", "-cp", str(VNU), "-Dnu.validator.servlet.bind-address=127.0.0.1",
         "nu.validator.servlet.Main", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while True:
        try:
            urllib.request.urlopen(base, timeout=10).close()
            break
        except OSError:
            assert checker.poll() is None, f"the Nu HTML Checker stopped ({checker.returncode})"
            assert time.monotonic() < deadline, "the Nu HTML Checker did not start"
            time.sleep(0.2)
    yield f"{base}?out=json"
    checker.terminate()
    checker.wait(timeout=60)


def html_errors(checker: str, documents: dict[str, str]) -> list[str]:
    """Errors the Nu HTML Checker finds in the documents (URL -> HTML; fragments are wrapped)."""
    errors = []
    for url, html in documents.items():
        if not html.lstrip().lower().startswith("<!doctype"):
            html = FRAGMENT.format(html)
        request = urllib.request.Request(
            checker, data=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
        )
        with urllib.request.urlopen(request, timeout=STEP_TIMEOUT_MS / 1000) as answer:
            messages = json.load(answer)["messages"]
        errors += [
            f"{url}: {m['message']} [{m.get('extract', '').strip()[:80]}]"
            for m in messages
            if m.get("type") in ("error", "non-document-error")  # as --errors-only
        ]
    return errors


@pytest.fixture
def page_for(browser, live_server, html_checker):
    """A logged-in page for a user, through the real login form; CSP is bypassed only for axe.

    Every HTML page and htmx fragment the app sends to these pages is kept and,
    after the test, must pass the Nu HTML Checker with no error.
    """
    contexts = []
    documents: dict[str, str] = {}

    def keep_html(response) -> None:
        if not response.url.startswith(live_server.url):
            return
        if "text/html" not in (response.headers.get("content-type") or ""):
            return
        try:
            body = response.text()
        except Exception:  # noqa: BLE001 - a redirect or an aborted request has no body
            return
        method = response.request.method
        documents[f"{method} {response.url} #{len(documents)}"] = body

    def open_as(username: str, width: int = 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, bypass_csp=True, locale="sv-SE"
        )
        contexts.append(context)
        page = context.new_page()
        page.on("response", keep_html)
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.set_default_navigation_timeout(STEP_TIMEOUT_MS)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form.login-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    yield open_as
    for context in contexts:
        context.close()
    assert html_errors(html_checker, documents) == []


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations on the page as it is now, from axe-core."""
    assert AXE.exists(), "Run npm ci (./dev test does) to get axe-core."
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]]


@pytest.fixture
def task_worker(transactional_db, live_server, settings):
    """The production background worker, `manage.py worker`, working the test database's queue.

    The app then enqueues its background work (report PDFs) into the database as in
    production, and no request renders anything itself. Stopped before the test's data
    is flushed.
    """
    from django.db import connection

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "vsplan.settings.test",
                   "VSPLAN_TEST_WORKER_DATABASE": connection.settings_dict["NAME"]}  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--no-startup-delay",
         "--interval", "0.2", "--verbosity", "0"],
        cwd=REPO, env=environment,
    )  # fmt: skip
    yield worker
    assert worker.poll() is None, f"the worker stopped by itself (exit code {worker.returncode})"
    worker.terminate()
    worker.wait(timeout=120)
