"""The header on a phone (one line, its links in a menu), the favicon, and the accessibility
statement, in Chromium."""

from tests.browser.conftest import axe_violations


def _header_boxes(page) -> dict:
    return page.evaluate(
        """() => {
            const header = document.querySelector('.site-header').getBoundingClientRect();
            const logout = document.querySelector('.logout-form button').getBoundingClientRect();
            const boxes = [...document.querySelector('.site-header').children]
                .map(el => el.getBoundingClientRect()).filter(box => box.height > 0);
            // One row: every item crosses one horizontal line.
            const oneRow = Math.max(...boxes.map(b => b.top)) < Math.min(...boxes.map(b => b.bottom));
            return {header: header.height, logout: logout.height, rows: oneRow ? 1 : 2};
        }"""
    )


def test_the_phone_header_is_one_line_with_its_links_in_a_menu(page_for, live_server, head):
    missing = []
    page = page_for("head", width=390)
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.goto(f"{live_server.url}/")
    boxes = _header_boxes(page)
    # One row: brand, menu, language and "Logga ut" side by side; the button one line high.
    assert boxes["rows"] == 1, boxes
    assert boxes["header"] <= 60, boxes
    assert boxes["logout"] <= 40, boxes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.locator(".phone-menu nav").is_visible()
    # The menu opens from the keyboard and holds the links.
    page.focus(".phone-menu summary")
    page.keyboard.press("Enter")
    assert page.locator(".phone-menu nav a", has_text="Mina områden").is_visible()
    assert page.locator(".phone-menu nav a", has_text="Översikt").is_visible()
    assert axe_violations(page) == []
    page.click(".phone-menu nav a >> text=Uppföljning")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/cycles/")
    assert _header_boxes(page)["rows"] == 1
    assert missing == []  # no /favicon.ico or other 404 on the way


def test_a_wide_screen_shows_the_links_and_no_menu(page_for, live_server, head):
    page = page_for("head", width=1280)
    page.goto(f"{live_server.url}/")
    assert page.locator(".wide-nav a", has_text="Mina områden").is_visible()
    assert not page.locator(".phone-menu").is_visible()
    assert _header_boxes(page)["header"] <= 70


def test_the_accessibility_statement_from_the_footer(page_for, live_server, reader):
    page = page_for("reader", width=390)
    page.goto(f"{live_server.url}/")
    page.click("footer >> text=Tillgänglighetsredogörelse")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/accessibility/")
    assert page.locator("h1").inner_text() == "Tillgänglighetsredogörelse"
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
