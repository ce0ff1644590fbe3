"""Department heads' PDF reports: their departments' of the open cycle from My areas, an
area's own from its page, each showing what its reader may read and nothing more.

The departments are small ones (IRO takes part in UTB-01..03, which EDO is responsible
for), so each render takes a second or two.
"""

import io
from datetime import date

import pytest
from django.contrib.auth.models import User
from pypdf import PdfReader

from areas.models import ActionPlan, Department
from followup import cycles
from followup.models import AuditEntry, FollowUpCycle, FollowUpReport, StoredPdf
from tests.conftest import _user

OUR_DRAFT = "Workshops with the international office."
OTHER_DRAFT = "Confidential draft of EDO alone."
HANDED_IN = "Handed in and readable by all."


@pytest.fixture
def iro_head(kth_plan) -> User:
    """Head of IRO, which takes part in UTB-01, UTB-02 and UTB-03 (EDO's)."""
    return _user("iro-head", heads="IRO")


def _write(cycle, key: str, progress: str, *, user, submit: bool = False) -> FollowUpReport:
    report = FollowUpReport.objects.get(cycle=cycle, area__key=key)
    cycles.report_save(report=report, user=user, seen_version=report.version,
                       fields={"status": "ongoing", "traffic_light": "green", "progress": progress},
                       risks=[], benefits=[], submit=submit)  # fmt: skip
    return report


@pytest.fixture
def open_cycle(kth_plan, head) -> FollowUpCycle:
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    cycle.refresh_from_db()
    _write(cycle, "UTB-01", OUR_DRAFT, user=head)  # a draft IRO takes part in
    _write(cycle, "UTB-04", OTHER_DRAFT, user=head)  # a draft of EDO's, IRO has no part
    cycle.report_summary = "The secretariat's summary, not yet for the heads."
    cycle.save()
    return cycle


def _text(pdf: bytes) -> tuple[list[str], str]:
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    return pages, " ".join(pages)


def _ask(client, **fields):
    data = {"year": "2025", "scope": "department", "code": "IRO", "lang": "sv"} | fields
    return client.post("/pdf/", data)


@pytest.mark.django_db
def test_a_head_gets_their_departments_open_cycle_report_from_my_areas(
    client, iro_head, open_cycle
):
    client.force_login(iro_head)
    page = client.get("/my/").content.decode()
    assert "Ladda ner rapport (PDF)" in page
    assert '<option value="2025" selected>Uppföljning 2025' in page  # the open cycle first
    response = _ask(client)
    stored = StoredPdf.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cycles/2025/pdf/{stored.pk}/"
    status = client.get(response["Location"]).content.decode()
    assert "Ladda ner uppfoljning-2025-iro.pdf" in status
    download = client.get(f"/cycles/2025/pdf/{stored.pk}/download/")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    pages, text = _text(download.content)
    for key in ("UTB-01", "UTB-02", "UTB-03"):  # every area of the department
        assert f"{key} " in text, key
    assert all("Preliminär" in page for page in pages)  # on every page
    assert OUR_DRAFT in text  # a draft of an area IRO takes part in: the head's to read
    assert OTHER_DRAFT not in text and "UTB-04" not in text
    assert "The secretariat's summary" not in text  # the cycle's text is not the head's yet
    # Who made which report, when: in the audit trail and the cycle page's history.
    entry = AuditEntry.objects.get(kind=AuditEntry.Kind.PDF_MADE)
    assert (entry.user, entry.cycle, entry.after) == (iro_head, open_cycle, "avdelning IRO (sv)")


@pytest.mark.django_db
def test_a_head_is_refused_another_departments_open_cycle_report(
    client, iro_head, secretariat, open_cycle
):
    client.force_login(iro_head)
    assert _ask(client, code="EDO").status_code == 403
    assert _ask(client, scope="programme", code="").status_code == 403
    assert _ask(client, scope="support_area", code="UTB").status_code == 403
    assert _ask(client, scope="area", code="UTB-04").status_code == 403  # no part in it
    assert client.post("/cycles/2025/pdf/", {"scope": "department", "code": "EDO",
                                             "lang": "sv"}).status_code == 403  # fmt: skip
    assert not StoredPdf.objects.exists()
    # The secretariat's report of EDO, stored: not for the head of IRO, even by its number.
    client.force_login(secretariat)
    _ask(client, code="EDO")
    stored = StoredPdf.objects.get(code="EDO")
    client.force_login(iro_head)
    assert client.get(f"/cycles/2025/pdf/{stored.pk}/").status_code == 403
    assert client.get(f"/cycles/2025/pdf/{stored.pk}/download/").status_code == 403
    # ... nor the secretariat's of IRO, which holds the cycle's text the head may not read.
    _ask(client)
    client.force_login(secretariat)
    _ask(client)
    theirs = StoredPdf.objects.get(code="IRO", readers="all")
    client.force_login(iro_head)
    assert client.get(f"/cycles/2025/pdf/{theirs.pk}/download/").status_code == 403
    # The secretariat may open the head's (it reads all of it), and sees both asked for.
    head_copy = StoredPdf.objects.get(code="IRO", requested_by=iro_head)
    client.force_login(secretariat)
    assert client.get(f"/cycles/2025/pdf/{head_copy.pk}/download/").status_code == 200
    history = client.get("/cycles/2025/").content.decode()
    assert "iro-head" in history and history.count("avdelning IRO (sv)") == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [("head", 302), ("other_head", 403), ("reader", 403), ("council", 302), ("secretariat", 302)],
)
def test_who_may_ask_for_a_departments_open_cycle_report(
    request, client, role, expected, open_cycle, monkeypatch
):
    monkeypatch.setattr(
        "followup.pdf.render_pdf", lambda data: ("r.pdf", "application/pdf", b"%PDF")
    )
    client.force_login(request.getfixturevalue(role))
    assert _ask(client, code="EDO").status_code == expected
    assert _ask(client, scope="area", code="UTB-01").status_code == expected


@pytest.mark.django_db
def test_bad_choices_are_a_plain_400(client, iro_head, open_cycle):
    client.force_login(iro_head)
    assert _ask(client, year="").status_code == 400
    assert _ask(client, lang="de").status_code == 400
    assert _ask(client, scope="area", code="NOPE-1").status_code == 400
    assert _ask(client, year="1999").status_code == 404
    assert not StoredPdf.objects.exists()


@pytest.fixture
def published_cycle(open_cycle, head, secretariat) -> FollowUpCycle:
    _write(open_cycle, "UTB-02", HANDED_IN, user=head, submit=True)
    _write(open_cycle, "UTB-03", "Never handed in, a draft.", user=head)
    cycles.cycle_close(cycle=open_cycle, user=secretariat)
    cycles.cycle_publish(cycle=open_cycle, user=secretariat)
    open_cycle.refresh_from_db()
    return open_cycle


@pytest.mark.django_db
def test_a_published_report_shows_a_reader_only_what_was_handed_in(
    client, reader, secretariat, published_cycle
):
    client.force_login(reader)
    assert _ask(client).status_code == 302
    mine = StoredPdf.objects.get()
    assert mine.readers != "all" and mine.text_of == [
        FollowUpReport.objects.get(cycle=published_cycle, area__key="UTB-02").pk
    ]
    _pages, text = _text(client.get(f"/cycles/2025/pdf/{mine.pk}/download/").content)
    assert HANDED_IN in text
    assert OUR_DRAFT not in text and "Never handed in" not in text
    assert "Ej rapporterad: inte inlämnad" in text  # the drafts show as not handed in
    assert "The secretariat's summary" in text  # published: the cycle's text is everyone's
    # The secretariat's, with every draft: not the reader's.
    client.force_login(secretariat)
    _ask(client)
    full = StoredPdf.objects.get(readers="all")
    _pages, text = _text(bytes(StoredPdf.objects.get(pk=full.pk).content))
    assert OUR_DRAFT in text
    client.force_login(reader)
    assert client.get(f"/cycles/2025/pdf/{full.pk}/download/").status_code == 403


@pytest.mark.django_db
def test_an_areas_follow_up_as_a_short_pdf_from_its_page(client, head, iro_head, open_cycle):
    _write(open_cycle, "UTB-01", OUR_DRAFT, user=head, submit=True)
    client.force_login(iro_head)  # takes part in UTB-01
    page = client.get("/areas/UTB-01/").content.decode()
    assert "Ladda ner områdets uppföljning (PDF)" in page
    response = client.post("/pdf/", {"year": "2025", "scope": "area", "code": "UTB-01",
                                      "lang": "en"})  # fmt: skip
    stored = StoredPdf.objects.get()
    assert response["Location"] == f"/cycles/2025/pdf/{stored.pk}/"
    assert stored.filename == "follow-up-2025-utb-01.pdf"
    pages, text = _text(client.get(f"/cycles/2025/pdf/{stored.pk}/download/").content)
    assert len(pages) <= 3 and all("Preliminary" in page for page in pages)
    for expected in ["UTB-01", "Owner's traffic light: Green", OUR_DRAFT,
                     "The area in Uppföljning 2025", "The follow-up opened",
                     "Status saved: ongoing, green", "Handed in"]:  # fmt: skip
        assert expected in text, expected
    for programme_only in ["Contents", "Overview of the areas", "The highest risks",
                           "Appendix", "UTB-02"]:  # fmt: skip
        assert programme_only not in text, programme_only
    # Someone with no part in it reads the plan's area, but not its open cycle's report.
    other = _user("kthb-head", heads="KTHB")
    client.force_login(other)
    assert "Ladda ner områdets uppföljning" not in client.get("/areas/UTB-01/").content.decode()
    assert client.get(f"/cycles/2025/pdf/{stored.pk}/").status_code == 403


@pytest.mark.django_db
def test_my_areas_offers_each_headed_department_and_the_published_cycles(
    client, iro_head, published_cycle
):
    Department.objects.get(code="EES").heads.add(iro_head)
    client.force_login(iro_head)
    page = client.get("/my/").content.decode()
    assert page.count("Ladda ner rapport (PDF)") == 2  # IRO and EES
    assert 'value="2025">Uppföljning 2025 (publicerad)' in page
