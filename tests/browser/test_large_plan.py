"""A large plan in a real browser: a support area opened in place by keyboard, paged, closed."""

import re

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _area_keys(page, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(f"{selector} a[href^='/areas/']", "els => els.map(e => e.getAttribute('href'))")  # fmt: skip
    return [re.fullmatch(r"/areas/([^/]+)/", h).group(1) for h in hrefs]


def test_a_support_area_of_a_large_plan_opens_in_place_by_keyboard(page_for, reader, settings):
    settings.VSPLAN_PLAN_EXPAND_LIMIT = 20  # the KTH plan's 72 areas are then "large"
    settings.VSPLAN_PLAN_PAGE_SIZE = 5
    page = page_for("reader")
    assert page.locator("section.plan-section").count() == 7
    assert _area_keys(page, "#results") == []
    assert axe_violations(page) == []
    page.focus("#toggle-INF")
    page.keyboard.press("Enter")
    page.wait_for_selector("#section-INF table")
    assert page.get_attribute("#toggle-INF", "aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "toggle-INF"  # focus kept
    assert page.url.endswith("/")  # opened in place, not a new page
    assert _area_keys(page, "#section-INF") == ["INF-01", "INF-02", "INF-03", "INF-04", "INF-05"]
    assert axe_violations(page) == []
    page.click("#section-INF nav.pages a[rel=next]")
    page.wait_for_selector("#section-INF >> text=Sida 2 av 5")
    assert _area_keys(page, "#section-INF") == ["INF-06", "INF-07", "INF-08", "INF-09", "INF-10"]
    assert page.locator("section.plan-section").count() == 7  # the others stay as they were
    page.focus("#toggle-INF")
    page.keyboard.press("Enter")
    page.wait_for_selector("#toggle-INF[aria-expanded=false]")
    assert _area_keys(page, "#section-INF") == []
