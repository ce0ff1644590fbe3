"""The follow-up report as the council gets it: the secretariat's text first, an overview of
every area on one page, the highest risks, who is responsible, the same figures as the
dashboard, marked preliminary while the cycle is open."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from areas.models import (
    ActionPlan,
    Department,
    DevelopmentArea,
    ExternalDependency,
    RiskAspect,
    SupportArea,
)
from followup import cycles
from followup.models import AuditEntry, FollowUpCycle, FollowUpReport, IndicatorValue, StoredPdf
from followup.pdf import PdfScope, build_pdf_data, render_pdf

pytestmark = pytest.mark.django_db

TEXTS = {
    "report_summary": "Most areas follow the plan.\n\nInfrastructure is behind.",
    "report_assessment": "Amber overall: late, but no goal at risk.",
    "report_decisions": "Extend INF-09 to autumn 2026.",
}


@pytest.fixture
def cycle(kth_plan, head) -> FollowUpCycle:
    head.first_name, head.last_name = "Hedda", "Huvud"
    head.save()
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle, before_its_date=True)
    cycle.refresh_from_db()
    return cycle


def _support_area(code: str) -> PdfScope:
    return PdfScope("support_area", support_area=SupportArea.objects.get(code=code))


def _pages(cycle, scope=None, language="sv") -> tuple[PdfReader, list[str]]:
    """The report's pages as text (by default the smallest support area's: fast)."""
    data = build_pdf_data(cycle=FollowUpCycle.objects.get(pk=cycle.pk),
                          scope=scope or _support_area("LED"), produced_by="Sam",
                          language=language, today=date(2026, 3, 2))  # fmt: skip
    reader = PdfReader(io.BytesIO(render_pdf(data)[2]))
    return reader, [" ".join(page.extract_text().split()) for page in reader.pages]


def _page_of(reader: PdfReader, destination: str) -> int:
    return reader.get_destination_page_number(reader.named_destinations[destination])


def test_the_secretariat_writes_the_reports_text_and_it_opens_the_report(
    client, secretariat, cycle
):
    client.force_login(secretariat)
    page = client.get("/cycles/2025/").content.decode()
    assert 'action="/cycles/2025/report-text/"' in page
    response = client.post("/cycles/2025/report-text/", TEXTS)
    assert response.status_code == 302 and response.url == "/cycles/2025/"
    cycle.refresh_from_db()
    assert cycle.report_summary == TEXTS["report_summary"]
    entries = AuditEntry.objects.filter(kind="report_text", cycle=cycle)
    assert entries.count() == 3 and {e.after for e in entries} == set(TEXTS.values())
    assert entries.first().user == secretariat
    reader, pages = _pages(cycle)
    summary = pages[_page_of(reader, "summary")]
    assert summary.index("Sammanfattning och beslut") < summary.index("Sammanfattning Most")
    for text in ("Most areas follow the plan.", "Infrastructure is behind.",
                 "Samlad bedömning Amber overall", "Extend INF-09 to autumn 2026."):  # fmt: skip
        assert text in summary, text
    # Saving the same again records nothing.
    client.post("/cycles/2025/report-text/", TEXTS)
    assert AuditEntry.objects.filter(kind="report_text").count() == 3


def test_the_reports_text_is_frozen_with_the_cycle(client, secretariat, cycle):
    cycles.cycle_report_text_set(cycle=cycle, user=secretariat, texts=TEXTS)
    cycles.cycle_close(cycle=cycle)
    client.force_login(secretariat)
    page = client.get("/cycles/2025/").content.decode()
    assert 'action="/cycles/2025/report-text/"' not in page and "Extend INF-09" in page
    response = client.post("/cycles/2025/report-text/", {**TEXTS, "report_summary": "Changed."},
                           follow=True)  # fmt: skip
    assert "rapportens text kan inte längre ändras" in response.content.decode()
    assert FollowUpCycle.objects.get().report_summary == TEXTS["report_summary"]
    _reader, pages = _pages(cycle)
    assert "Most areas follow the plan." in " ".join(pages)


@pytest.mark.parametrize(
    ("texts", "field"),
    [({"report_summary": "x" * 5001}, "report_summary"),
     ({"report_decisions": "y" * 20000}, "report_decisions")],
)  # fmt: skip
def test_too_long_a_text_is_refused_beside_its_field(client, secretariat, cycle, texts, field):
    client.force_login(secretariat)
    response = client.post("/cycles/2025/report-text/", {**TEXTS, **texts})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html and "som mest 5000 tecken" in html
    assert FollowUpCycle.objects.get().report_summary == ""
    assert not AuditEntry.objects.filter(kind="report_text").exists()


def test_only_the_secretariat_writes_the_reports_text(client, council, head, reader, cycle):
    for user in (council, head, reader):
        client.force_login(user)
        assert client.post("/cycles/2025/report-text/", TEXTS).status_code == 403
    assert FollowUpCycle.objects.get().report_summary == ""


def test_the_whole_programme_overview_top_risks_and_who_is_responsible(cycle):
    report = FollowUpReport.objects.get(cycle=cycle, area__key="UTB-01")
    report.status, report.traffic_light, report.reviewer_light = "ongoing", "amber", "red"
    report.save()
    aspect = RiskAspect.objects.get(code="internal")
    scores = [(5, 5), (4, 5), (5, 4), (4, 4), (3, 5), (3, 4), (4, 3), (3, 3), (2, 5), (2, 4),
              (2, 3), (1, 2)]  # fmt: skip
    reports = list(FollowUpReport.objects.filter(cycle=cycle).order_by("-pk")[:12])
    for n, ((likelihood, consequence), report) in enumerate(zip(scores, reports, strict=True)):
        report.risks.create(aspect=aspect, description=f"Risk number {n}.", likelihood=likelihood,
                            consequence=consequence, mitigation=f"Mitigation {n}",
                            owner=f"Owner {n}")  # fmt: skip
    reader, pages = _pages(cycle, PdfScope("programme"))

    # Every area on one page, grouped by support area, its lights in words beside the shapes.
    overview = pages[_page_of(reader, "overview")]
    keys = DevelopmentArea.objects.filter(upcoming=False).values_list("key", flat=True)
    assert len(keys) > 60 and all(f"{key} " in overview for key in keys)
    assert re.search(r"UTB-01 Inresande utbytesstudenter Pågående Gult Rött", overview)
    assert "3.1 Utbildningsadministrativt stöd" in overview and "3.7 Ledningsstöd" in overview

    # The ten highest risks by score; of equal scores the graver consequence first.
    top = pages[_page_of(reader, "top-risks")]
    found = [int(n) for n in re.findall(r"Risk number (\d+)\.", top)]
    assert found == [0, 1, 2, 3, 4, 5, 6, 8, 7, 9]  # 25, 20, 20, 16, 15, 12, 12, 10, 9, 8
    assert f"25 5 × 5 {reports[0].area.key}" in top and "Mitigation 0 Owner 0" in top

    # Each block names the responsible department and its heads.
    edo = Department.objects.get(code="EDO")
    blocks = " ".join(pages[_page_of(reader, "area-UTB-01") :])
    assert f"UTB-01 Inresande utbytesstudenter Ansvarig: {edo} (Hedda Huvud)" in blocks


def test_a_closed_cycle_names_the_heads_as_they_were(cycle):
    edo = Department.objects.get(code="EDO")
    cycles.cycle_close(cycle=cycle)
    edo.heads.clear()
    _reader, pages = _pages(cycle, _support_area("UTB"))
    assert f"Ansvarig: {edo} (Hedda Huvud)" in " ".join(pages)


def test_preliminary_on_every_page_of_an_open_cycles_report_only(cycle):
    _reader, pages = _pages(cycle)
    assert all("Preliminär" in page for page in pages)
    assert "uppföljningen pågår fortfarande" in pages[0]
    cycles.cycle_close(cycle=cycle)
    _reader, pages = _pages(cycle)
    assert not any("Preliminär" in page for page in pages)


def test_swedish_numbers_in_swedish_reports_english_in_english(cycle):
    edo = Department.objects.get(code="EDO")
    IndicatorValue.objects.create(cycle=cycle, name="PULS", department=edo,
                                  value=Decimal("67.10"), respondents=20)  # fmt: skip
    _reader, pages = _pages(cycle)
    assert "PULS EDO 67,10 20" in " ".join(pages)
    _reader, pages = _pages(cycle, language="en")
    assert "PULS EDO 67.10 20" in " ".join(pages)
    cycles.cycle_close(cycle=cycle)  # and as the closed cycle keeps it
    _reader, pages = _pages(cycle)
    assert "PULS EDO 67,10 20" in " ".join(pages)


def test_the_reports_figures_are_the_dashboards(client, secretariat, council, cycle):
    ExternalDependency.objects.filter(code="IT-PORTFOLIO").update(state="blocked")
    report = FollowUpReport.objects.get(cycle=cycle, area__key="INF-01")
    report.status, report.traffic_light = "ongoing", "red"
    report.save()
    client.force_login(council)
    html = client.get("/dashboard/", {"support_area": "INF"}).content.decode()
    tiles = dict(re.findall(r'<li class="tile tile-(\w+)[^"]*"><a href="[^"]+">\s*'
                            r'<span class="tile-figure">(?:<span [^>]*></span>)?(\d+)', html))  # fmt: skip
    assert int(tiles["held_up"]) > 0 and int(tiles["red"]) == 1
    client.force_login(secretariat)
    client.post("/cycles/2025/pdf/", {"scope": "support_area", "code": "INF", "lang": "sv"})
    stored = StoredPdf.objects.get()
    reader = PdfReader(io.BytesIO(bytes(stored.content)))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    brief = text.split("I korthet", 1)[1]
    assert "1 rött" in brief
    assert f"{tiles['late']} försenade" in brief or f"{tiles['late']} försenat" in brief
    assert f"{tiles['held_up']} hålls upp" in brief


def test_an_organisation_logo_on_the_cover_when_one_is_set(cycle, settings, tmp_path):
    from PIL import Image

    def images() -> int:
        reader, _pages_ = _pages(cycle)
        return len(reader.pages[0]["/Resources"].get("/XObject", {}))

    without = images()
    logo = tmp_path / "kth.png"
    Image.new("RGB", (120, 40), "#004791").save(logo)
    settings.VSPLAN_REPORT_LOGO = str(logo)
    assert images() == without + 1


def test_the_progress_page_shows_progress_while_the_report_is_made(client, secretariat, cycle):
    stored = StoredPdf.objects.create(cycle=cycle, scope="programme", language="sv",
                                      requested_by=secretariat)  # fmt: skip
    client.force_login(secretariat)
    html = client.get(f"/cycles/2025/pdf/{stored.pk}/").content.decode()
    assert "<progress" in html and "Rapporten tas fram." in html and "hittills" in html
