"""The plan page's search: case aside (å, ä and ö too, never folded to a or o), across the
plan, status, comments and what the user may read of reports, risks and benefits, with the
hits marked. Run on SQLite and PostgreSQL alike (CI runs the suite on both)."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import ActionPlan, DevelopmentArea, RiskAspect
from areas.search import excerpt, mark
from followup import cycles
from followup.models import FollowUpReport
from followup.services import comment_create, status_update_create

URL = reverse("followup:plan")


def _keys(html: str) -> list[str]:
    return re.findall(r'href="/areas/([^/"]+)/"', html)


def _search(client, q: str) -> list[str]:
    return _keys(client.get(URL, {"q": q}).content.decode())


def _status(key: str, user, **text) -> None:
    area = DevelopmentArea.objects.get(key=key)
    status_update_create(area=area, author=user, seen_version=area.status_version,
                         status="ongoing", traffic_light="green", **text)  # fmt: skip


@pytest.mark.django_db
def test_capitals_find_what_small_letters_find_with_a_ring_and_dots_too(reader_client):
    small = _search(reader_client, "likvärdig")
    assert len(small) >= 5
    assert _search(reader_client, "LIKVÄRDIG") == small
    assert _search(reader_client, "LiKvÄrDiG") == small
    # "Ökad" (written with a capital Ö in the plan) and "ökad" alike.
    assert _search(reader_client, "ökad") == _search(reader_client, "ÖKAD") != []
    assert len(_search(reader_client, "ökad")) >= 9


@pytest.mark.django_db
def test_a_is_not_å_and_o_is_not_ö(reader_client, secretariat):
    _status("UTB-01", secretariat, progress="Vi plockar på Blåbärsåsen.")
    _status("UTB-02", secretariat, progress="Vi plockar på Blabarsasen.")
    _status("UTB-03", secretariat, progress="Köksöns kök är klart.")
    assert _search(reader_client, "BLÅBÄRSÅSEN") == ["UTB-01"]
    assert _search(reader_client, "blabarsasen") == ["UTB-02"]
    assert _search(reader_client, "KÖKSÖNS") == ["UTB-03"]
    assert _search(reader_client, "koksons") == []


@pytest.mark.django_db
def test_the_search_reads_status_and_comments_and_marks_the_hits(client, head, secretariat):
    _status("UTB-01", secretariat, progress="Samordnat med Zebraprojektet i Kista.")
    area = DevelopmentArea.objects.get(key="UTB-02")
    comment_create(area=area, author=secretariat, text="Glöm inte Äppelgruppen!")
    client.force_login(head)
    response = client.get(URL, {"q": "zebraprojektet"})
    html = response.content.decode()
    assert _keys(html) == ["UTB-01"]
    assert "<mark>Zebraprojektet</mark> i Kista." in html
    assert "Framsteg" in html  # where the hit is: the status update's progress
    html = client.get(URL, {"q": "äppelgruppen"}).content.decode()
    assert _keys(html) == ["UTB-02"]
    assert "Glöm inte <mark>Äppelgruppen</mark>!" in html


@pytest.mark.django_db
def test_every_word_must_match_somewhere_in_plan_or_status(reader_client, secretariat):
    _status("UTB-01", secretariat, next_steps="Flamingo")
    assert _search(reader_client, "flamingo Mobility") == ["UTB-01"]
    assert _search(reader_client, "flamingo Fastighetsavdelningen") == []


@pytest.mark.django_db
def test_a_plan_hit_is_marked_in_the_table_and_beside_the_title(reader_client):
    html = reader_client.get(URL, {"q": "LIKVÄRDIG"}).content.decode()
    assert "<mark>Likvärdig</mark>" in html or "<mark>likvärdig</mark>" in html
    assert "Varför" in html  # a hit in the plan's "why", listed under the title


@pytest.fixture
def draft_risk(head, secretariat):
    """An open cycle whose report on UTB-01 (EDO's) is a draft with a risk and a benefit."""
    plan = ActionPlan.objects.get()
    cycle = cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    report = FollowUpReport.objects.get(cycle=cycle, area__key="UTB-01")
    risk = cycles.RiskData(RiskAspect.objects.first(), "Giraffbristen i Östra Ljusne", 3, 4,
                           mitigation="Köp ÄLGAR")  # fmt: skip
    cycles.report_save(report=report, user=head, seen_version=0, risks=[risk], benefits=[],
                       fields={"status": "ongoing", "traffic_light": "green"}, submit=False)  # fmt: skip
    return report


@pytest.mark.django_db
def test_a_head_finds_their_own_draft_risk_and_another_head_does_not(
    client, draft_risk, head, other_head, council, reader
):
    for user, found in [(head, ["UTB-01"]), (council, ["UTB-01"]), (other_head, []), (reader, [])]:
        client.force_login(user)
        assert _search(client, "GIRAFFBRISTEN") == found, user
        assert _search(client, "älgar") == found, user
    client.force_login(head)
    html = client.get(URL, {"q": "östra"}).content.decode()
    assert "Giraffbristen i <mark>Östra</mark> Ljusne" in html
    client.force_login(other_head)
    html = client.get(URL, {"q": "östra"}).content.decode()
    assert "Giraffbristen" not in html


@pytest.mark.django_db
def test_the_export_of_a_search_holds_what_the_page_found(client, draft_risk, head, other_head):
    from io import BytesIO

    from openpyxl import load_workbook

    def exported_keys(user) -> set[str]:
        client.force_login(user)
        response = client.get(reverse("followup:plan_export"), {"q": "giraffbristen"})
        book = load_workbook(BytesIO(response.content), read_only=True)
        return {
            row[0]
            for sheet in book.worksheets[1:-1]  # the support areas (the last: the lists)
            for row in sheet.iter_rows(min_row=2, values_only=True)
            if row and row[0]
        }

    assert exported_keys(head) == {"UTB-01"}
    assert exported_keys(other_head) == set()


@pytest.mark.django_db
def test_the_search_costs_five_more_queries_whatever_it_finds(reader_client, secretariat):
    _status("UTB-01", secretariat, progress="likvärdig")
    with CaptureQueriesContext(connection) as plain:
        reader_client.get(URL, {"support_area": "UTB"})
    with CaptureQueriesContext(connection) as searched:
        reader_client.get(URL, {"support_area": "UTB", "q": "likvärdig"})
    # status updates, comments, reports, risks and benefits with the words
    assert len(searched) == len(plain) + 5


def test_marking_escapes_the_text_and_keeps_the_case_it_was_written_in():
    assert mark("<b>Likvärdig</b> & LIKVÄRDIGT", ["likvärdig"]) == (
        "&lt;b&gt;<mark>Likvärdig</mark>&lt;/b&gt; &amp; <mark>LIKVÄRDIG</mark>T"
    )
    assert mark("bås och bas", ["bas"]) == "bås och <mark>bas</mark>"
    assert mark("Öl", []) == "Öl"


def test_an_excerpt_is_cut_around_the_first_hit():
    text = "Början. " + "ord " * 40 + "Här är träffen mitt i texten. " + "ord " * 40 + "Slut."
    cut = excerpt(text, ["TRÄFFEN"], around=30)
    assert cut.startswith("…") and cut.endswith("…")
    assert "träffen" in cut
    assert len(cut) < 70
    assert excerpt("Kort text.", ["text"]) == "Kort text."


@pytest.mark.django_db
def test_the_open_data_search_reads_the_plan_case_aside(reader_client, secretariat):
    import json

    def keys(q: str) -> list[str]:
        data = json.loads(reader_client.get("/data/plan.json", {"q": q}).content)
        return [area["key"] for area in data["areas"]]

    _status("UTB-01", secretariat, progress="Flamingo")
    assert keys("LIKVÄRDIG") == keys("likvärdig") != []
    assert keys("flamingo") == []  # the open data of the plan is the plan's text only


@pytest.mark.django_db
def test_on_postgresql_a_word_also_finds_its_swedish_forms(reader_client):
    """PostgreSQL's full-text search with the Swedish configuration stems: "the exchange
    students" finds "exchange students". SQLite has no Swedish stemmer: there a search finds
    what contains it, and nothing more."""
    found = _search(reader_client, "utbytesstudenterna")
    if connection.vendor == "postgresql":
        assert {"UTB-01", "UTB-02"} <= set(found)
        assert _search(reader_client, "blabarsasen") == []  # stemming never drops å, ä, ö
    else:
        assert found == []
    assert {"UTB-01", "UTB-02"} <= set(_search(reader_client, "utbytesstudent"))
