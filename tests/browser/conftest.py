"""End-to-end tests in Debian's Chromium, driven by Playwright against the live test server."""

import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

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


@pytest.fixture
def page_for(browser, live_server):
    """A logged-in page for a user, through the real login form; CSP is bypassed only for axe."""
    contexts = []

    def open_as(username: str, width: int = 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, bypass_csp=True, locale="sv-SE"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form.login-form button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    yield open_as
    for context in contexts:
        context.close()


def axe_violations(page) -> list[str]:
    """WCAG 2.1 A/AA violations on the page as it is now, from axe-core."""
    assert AXE.exists(), "Run npm ci (./dev test does) to get axe-core."
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in result["violations"]]
