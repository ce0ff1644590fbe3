"""Every page in Swedish: no English left from the catalogue, no decimal point in a number.

Each role walks the links it is shown (as the link crawl in test_one_follow_up does),
with the demo history loaded so that pages hold statuses, reports, risks and charts.
On every page the text a user reads or hears (the text, and the labels, titles and
alternatives in attributes) is checked against the English catalogue's msgids: an
interface string left untranslated shows its English msgid. Numbers the app writes use
a decimal comma, and dates Swedish month names; numbers that are the plan's own (support area numbers such as 3.1,
what people wrote) are the data's, and not checked.
"""

import html
import re
from collections import Counter
from urllib.parse import urljoin, urlparse

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation
from django.utils.translation import trans_real

from areas.models import ActionPlan
from followup.demo import create_demo_history

# A msgid whose English can stand in Swedish text (a name, a code, a word both share).
SAME_IN_BOTH = {
    "administration",
    "vsplan",
    "PDF",
    "Excel",
    "CSV",
    "JSON",
    "OK",
    "English",
    "Svenska",
}
ATTRIBUTES = ("aria-label", "title", "alt", "placeholder", "data-label", "aria-description")


def _english_msgids() -> list[tuple[str, re.Pattern]]:
    """The catalogue's msgids that Swedish translates (fragments between placeholders)."""
    catalog = trans_real.translation("sv")._catalog
    found = {}
    for key, swedish in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04", 1)[-1]  # a msgctxt
        if not msgid or msgid == swedish or msgid in SAME_IN_BOTH:
            continue
        for fragment in re.split(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|\n", msgid):
            fragment = fragment.strip(" :.,;–-()")
            # A fragment of one short word ("late", "day") could be anyone's text; the
            # longer ones, and those of several words, are the interface's own.
            if len(fragment) < 5 or (" " not in fragment and len(fragment) < 8):
                continue
            if fragment in str(swedish) or fragment in SAME_IN_BOTH:
                continue
            found[fragment] = re.compile(rf"(?<![\w-]){re.escape(fragment)}(?![\w-])")
    return sorted(found.items())


def _readable_text(page: str) -> str:
    """What a user reads or hears: text outside scripts and styles, and attribute labels."""
    page = re.sub(r"<(script|style|svg:script)\b.*?</\1>", " ", page, flags=re.S | re.I)
    attributes = re.findall(rf'\b(?:{"|".join(ATTRIBUTES)})="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(" ".join([text, *attributes]))


def _data_numbers() -> set[str]:
    """The decimals in what is stored (the plan's 3.1 and "V-2022-0218 1.2", what people
    wrote, the accessibility statement's WCAG 2.1): the data's, not the app's formatting."""
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in {"areas", "followup", "vsplan"}:
            continue
        names = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        for row in model.objects.values_list(*names) if names else []:
            for value in row:
                if value and "." in value:
                    found.update(re.findall(r"\d+(?:\.\d+)+", value))
    return found


def _crawl(client, user, limit_per_kind: int = 2):
    """The HTML pages a user reaches by following links from the start page."""

    def kind_of(url: str) -> str:
        path = re.sub(r"/[A-ZÅÄÖ]+-\d+/", "/*/", urlparse(url).path)
        return re.sub(r"/\d+/", "/#/", path)

    client.force_login(user)
    seen, queue, kinds = set(), ["/start/"], Counter()
    while queue and len(seen) < 120:
        url = queue.pop(0)
        kind = kind_of(url) + ("?" if "?" in url else "")
        if url in seen or kinds[kind] >= limit_per_kind:
            continue
        seen.add(url)
        kinds[kind] += 1
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        yield url, page
        for href in re.findall(r'href="([^"#]+)', page):
            parsed = urlparse(urljoin(url, html.unescape(href)))
            if parsed.netloc or not parsed.path.startswith("/"):
                continue
            if parsed.path.startswith(("/static/", "/admin/", "/logout", "/i18n/", "/oidc/")):
                continue
            if parsed.path.endswith((".xlsx", ".csv", ".json", ".pdf")) or "/download" in href:
                continue
            queue.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))


@pytest.fixture
def demo_history(kth_plan, head, secretariat):
    """The demo's follow-up history (written by the users "head" and "secretariat")."""
    assert create_demo_history(ActionPlan.objects.get())


@pytest.mark.django_db
def test_every_page_reads_in_swedish(client, demo_history, head, secretariat, council, reader):
    msgids = _english_msgids()
    assert len(msgids) > 300  # the catalogue was read
    allowed_numbers = _data_numbers()
    english, decimals, pages = [], [], 0
    with translation.override("sv"):
        for user in (head, secretariat, council, reader):
            for url, page in _crawl(client, user):
                pages += 1
                assert '<html lang="sv">' in page, url
                text = _readable_text(page)
                for fragment, pattern in msgids:
                    if fragment in text and pattern.search(text):
                        english.append((user.username, url, fragment))
                # A date written the English way ("28 Nov 2026"; Swedish: "28 november 2026").
                for day in re.findall(
                    r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", text
                ):
                    english.append((user.username, url, day))
                # A standard's name keeps its point (WCAG 2.1 is what the statement cites).
                numbers = re.sub(r"(WCAG\)?) 2\.1", r"\1", text)
                for number in re.findall(r"(?<![\d.,])\d+\.\d+(?![\d.])", numbers):
                    if number not in allowed_numbers:
                        decimals.append((user.username, url, number))
    assert pages > 60
    assert english == [], f"English msgids on Swedish pages: {english[:40]}"
    assert decimals == [], f"decimal points in numbers: {decimals[:40]}"
