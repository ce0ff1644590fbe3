"""The checkers every journey relies on find what they are there to find."""

import pytest

from tests.browser.conftest import html_errors

pytestmark = pytest.mark.browser


def test_the_html_checker_reports_errors_in_pages_and_fragments_and_passes_clean_ones(
    html_checker,
):
    page = (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>x</title></head>'
        '<body><img src="a.png"></body></html>'
    )
    errors = html_errors(html_checker, {"GET /page/": page, "GET /fragment/": "<p>x<div></p>"})
    assert any(
        e.startswith("GET /page/: An “img” element must have an “alt” attribute") for e in errors
    )
    assert any(e.startswith("GET /fragment/: ") for e in errors)
    assert html_errors(html_checker, {"GET /clean/": "<p>Fine.</p>"}) == []
