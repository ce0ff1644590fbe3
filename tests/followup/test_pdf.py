"""The follow-up report as PDF: archival, navigable, in the chosen language, safe, reproducible."""

import hashlib
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from areas.models import ActionPlan, DevelopmentArea, SupportArea
from followup import cycles
from followup.models import FollowUpCycle, FollowUpReport, StoredPdf
from followup.pdf import PdfScope, build_pdf_data, render_pdf, report_static_files
from followup.pdf_render import StaticOnlyFetcher


@pytest.fixture
def cycle(kth_plan, head) -> FollowUpCycle:
    plan = ActionPlan.objects.get()
    cycle = cycles.cycle_create(
        plan=plan,
        year=2025,
        name="Uppföljning 2025",
        opens_on=date(2026, 1, 1),
        deadline=date(2026, 3, 1),
    )
    cycles.cycle_open(cycle=cycle)
    cycle.refresh_from_db()
    report = FollowUpReport.objects.get(cycle=cycle, area__key="LED-01")
    report.state = "draft"  # its head has started it
    report.status, report.traffic_light = "ongoing", "amber"
    report.traffic_light_reason = "Waiting for <b>the data office</b>."
    report.progress = "Workshops held with all five schools."
    report.save()
    return cycle


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())  # the PDF's line breaks are layout, not content


def _render(cycle, scope, language="sv"):
    data = build_pdf_data(
        cycle=cycle,
        scope=scope,
        produced_by="Sam Sekretariat",
        language=language,
        today=date(2026, 3, 2),
    )
    return render_pdf(data)


@pytest.mark.django_db
def test_a_support_area_report_is_an_archival_navigable_pdf(cycle):
    scope = PdfScope("support_area", support_area=SupportArea.objects.get(code="LED"))
    filename, content_type, pdf = _render(cycle, scope)
    assert (filename, content_type) == ("uppfoljning-2025-led.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF-")
    reader, text = _text(pdf)
    assert 6 <= len(reader.pages) <= 20
    for expected in [
        "Uppföljningsrapport 2025",
        "V-2022-0218 1.2",
        "Innehåll",
        "Sammanfattning",
        "Status per stödområde",
        "LED-01",
        "Workshops held with all five schools.",
        "Bilaga: programmets mål och indikatorer",
        "Framtagen av",
        "Sam Sekretariat",
    ]:
        assert expected in text, expected
    assert "INF-01" not in text  # only the chosen support area
    # The late areas: a chart with its table of numbers, then the areas themselves.
    data = build_pdf_data(cycle=cycle, scope=scope, produced_by="x", language="sv",
                        today=date(2026, 3, 2))  # fmt: skip
    late = len(data.late)
    assert late > 0
    assert f"försenade inte försenade Totalt 3.7 Ledningsstöd {late} {4 - late} 4" in text
    assert "Försenat utvecklingsområde Planerat slut Som det står i planen LED-" in text
    # User text is text: the tags are printed, never interpreted.
    assert "Waiting for <b>the data office</b>." in text
    # Bookmarks for the headings, document title and language, PDF/A metadata.
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert "Sammanfattning och beslut" in outline and "3.7 Ledningsstöd" in outline
    assert reader.metadata.title == "Uppföljningsrapport 2025 – 3.7 Ledningsstöd"
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert fonts == {"vsplan-sans", "vsplan-sans-Bold"}  # shipped with the app, nothing else
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp and b"Uppf" in xmp
    # Running header and footer ("page (pages)", registration number), not on the cover.
    assert "V-2022-0218 1.2 2 (" in " ".join(reader.pages[1].extract_text().split())
    assert " 1 (" not in " ".join(reader.pages[0].extract_text().split())


@pytest.mark.django_db
def test_the_same_input_gives_the_same_bytes(cycle):
    scope = PdfScope("support_area", support_area=SupportArea.objects.get(code="LED"))
    assert _render(cycle, scope)[2] == _render(cycle, scope)[2]


@pytest.mark.django_db
def test_a_department_report_in_english(cycle):
    from areas.models import Department

    scope = PdfScope("department", department=Department.objects.get(code="MO"))
    filename, _ct, pdf = _render(cycle, scope, language="en")
    assert filename == "follow-up-2025-mo.pdf"  # all in the report's language
    _reader, text = _text(pdf)
    assert "Follow-up report 2025" in text and "Contents" in text
    assert "Follow-up report: " not in text and "Preliminary" in text
    assert "LED-01" in text and "FOI-10" in text  # responsible for LED, takes part in FOI-10
    assert "UTB-01" not in text


@pytest.mark.django_db
def test_the_whole_programme_through_the_page(client, secretariat, cycle):
    client.force_login(secretariat)
    assert "Uppföljningsrapport (PDF)" in client.get("/cycles/2025/").content.decode()
    response = client.post("/cycles/2025/pdf/", {"scope": "programme", "lang": "sv"}, follow=True)
    stored = StoredPdf.objects.get()
    assert response.redirect_chain == [(f"/cycles/2025/pdf/{stored.pk}/", 302)]
    assert (stored.state, stored.filename) == ("done", "uppfoljning-2025-hela-programmet.pdf")
    assert stored.sha256 == hashlib.sha256(bytes(stored.content)).hexdigest()
    assert "Ladda ner uppfoljning-2025-hela-programmet.pdf" in response.content.decode()
    download = client.get(f"/cycles/2025/pdf/{stored.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert (
        download["Content-Disposition"]
        == 'attachment; filename="uppfoljning-2025-hela-programmet.pdf"; '
        "filename*=UTF-8''uppfoljning-2025-hela-programmet.pdf"
    )
    assert download["ETag"] == f'"{stored.sha256}"'
    reader, text = _text(download.content)
    assert len(reader.pages) == stored.pages > 30  # one block per area, 69 areas
    titles = DevelopmentArea.objects.filter(upcoming=False).values_list("key", "title")
    for key, title in titles:
        assert f"{key} {' '.join(title.split())}"[:40] in text, key
    for number in ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7"]:
        assert SupportArea.objects.get(number=number).name_sv in text


@pytest.mark.django_db
def test_the_contents_give_each_areas_page_and_link_to_it(cycle):
    reader = PdfReader(io.BytesIO(_render(cycle, PdfScope("programme"))[2]))
    pages = [page.extract_text() for page in reader.pages]
    target = {
        name: reader.get_destination_page_number(destination)
        for name, destination in reader.named_destinations.items()
    }
    printed, linked = {}, {}
    for number, page in enumerate(reader.pages):
        links = [a.get_object().get("/Dest") for a in page.get("/Annots", [])]
        if not any(str(link).startswith("area-") for link in links):
            continue  # not a page of the table of contents
        for link in links:
            if str(link).startswith("area-"):
                linked[str(link).removeprefix("area-")] = target[str(link)]
        for key, shown in re.findall(r"^([A-ZÅÄÖ]+-\d+) .* (\d+)$", pages[number], re.M):
            printed[key] = int(shown)
    keys = set(DevelopmentArea.objects.filter(upcoming=False).values_list("key", flat=True))
    assert set(printed) == set(linked) == keys
    for key, shown in printed.items():
        assert linked[key] == shown - 1, key  # the link goes where the number says
        # ... and there the area's block begins: its heading (a title of up to a few
        # lines), then its report line.
        heading = re.search(rf"(^|\n){key} ", pages[shown - 1])
        assert heading, key
        title, found, _rest = pages[shown - 1][heading.end() :].partition("\nAnsvarig:")
        assert found and len(title) < 250, key


@pytest.mark.django_db
def test_an_area_block_shows_its_report_risks_and_benefits(cycle):
    from areas.models import RiskAspect

    report = FollowUpReport.objects.get(cycle=cycle, area__key="LED-01")
    report.reviewer_light, report.reviewer_reason = "red", "Behind the plan."
    report.next_steps = "Pilot in two schools."
    report.revised_end_text = "Hösten 2026"
    report.save()
    aspect = RiskAspect.objects.order_by("order").first()
    report.risks.create(aspect=aspect, description="Key people may leave.", likelihood=2,
                        consequence=4, mitigation="Share the work", owner="Head of unit")  # fmt: skip
    report.benefits.create(effect="Faster decisions.", outcome="partly", evidence="Survey 2026")
    report.benefits.create(effect="Fewer e-mails.", outcome="", evidence="")
    FollowUpReport.objects.get(cycle=cycle, area__key="LED-02").delete()
    scope = PdfScope("support_area", support_area=SupportArea.objects.get(code="LED"))
    _reader, text = _text(_render(cycle, scope)[2])
    led01 = text[text.rindex("LED-01 ") : text.rindex("LED-03 ")]
    for expected in [
        "Rapport: Utkast · Status: Pågående",
        "Ägarens trafikljus: Gult (risk) – Waiting for <b>the data office</b>.",
        "Granskarens trafikljus: Rött (avviker) – Behind the plan.",
        "Framsteg: Workshops held with all five schools.",
        "Nästa steg: Pilot in two schools.",
        "Reviderat förväntat slut: Hösten 2026",
        f"Risker {aspect.name_sv}: Key people may leave. (sannolikhet 2 × konsekvens 4) · "
        "Åtgärd: Share the work · Ägare: Head of unit",
        "Nyttohemtagning Faster decisions. · Utfall: delvis uppnådd · Belägg: Survey 2026 "
        "Fewer e-mails. · Utfall: –",
    ]:
        assert expected in led01, expected
    # The summary counts the risk under its aspect, in the medium band (2 × 4 = 8).
    assert f"låg medel hög Totalt {aspect.name_sv} 0 1 0 1" in text
    # The report covers the cycle's reports: an area without one is not in it (nor counted).
    assert "LED-02" not in text


@pytest.mark.django_db
def test_a_closed_cycles_report_is_served_from_storage_and_regenerated_only_on_request(
    client, secretariat, council, cycle, monkeypatch
):
    from followup import pdf

    calls = []
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda data: calls.append(1) or real(data))
    scope = PdfScope("support_area", support_area=SupportArea.objects.get(code="LED"))
    cycles.cycle_close(cycle=cycle)
    client.force_login(secretariat)
    client.post("/cycles/2025/pdf/", {"scope": "support_area", "code": "LED", "lang": "sv"})
    stored = StoredPdf.objects.get()
    first = stored.sha256
    client.force_login(council)
    client.post("/cycles/2025/pdf/", {"scope": "support_area", "code": "LED", "lang": "sv"})
    assert len(calls) == 1  # served from storage, not rendered again
    assert client.post("/cycles/2025/pdf/", {"scope": "support_area", "code": "LED", "lang": "sv",
                                             "regenerate": "1"}).status_code == 403  # fmt: skip
    client.force_login(secretariat)
    client.post(
        "/cycles/2025/pdf/",
        {"scope": "support_area", "code": "LED", "lang": "sv", "regenerate": "1"},
    )
    assert len(calls) == 2 and StoredPdf.objects.count() == 1
    assert StoredPdf.objects.get().sha256 == first  # same input, same bytes
    assert scope.slug == "led"


@pytest.mark.django_db
def test_a_failed_render_says_so(client, secretariat, cycle, monkeypatch):
    from followup import pdf

    def broken(data):
        raise RuntimeError("pango exploded")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    client.force_login(secretariat)
    page = client.post("/cycles/2025/pdf/", {"scope": "programme"}, follow=True).content.decode()
    assert "Rapporten kunde inte tas fram" in page
    stored = StoredPdf.objects.get()
    assert stored.state == "failed" and not stored.content
    assert client.get(f"/cycles/2025/pdf/{stored.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_a_render_that_runs_out_of_time_is_stopped_and_says_so(
    client, secretariat, cycle, settings, tmp_path
):
    import multiprocessing

    from django.core.management import CommandError, call_command

    settings.VSPLAN_PDF_MAX_SECONDS = 0.001
    client.force_login(secretariat)
    page = client.post("/cycles/2025/pdf/", {"scope": "programme"}, follow=True).content.decode()
    assert "Rapporten tog längre än 0.001 sekunder; välj en smalare rapport." in page
    stored = StoredPdf.objects.get()
    assert stored.state == "failed" and not stored.content and not stored.sha256
    out = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match="tog längre än 0.001 sekunder"):
        call_command("render_pdf", "--cycle", "2025", "--output", str(out))
    assert not out.exists()
    assert multiprocessing.active_children() == []  # the renderers were stopped
    settings.VSPLAN_PDF_MAX_SECONDS = 600
    assert _render(cycle, PdfScope("programme"))[2].startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("renderer", "message"),
    [
        ("hang", "RenderTimeout"),
        ("crash", r"stopped without a result \(exit code 3\)"),
        ("fail", "failed:(.|\n)*ValueError(.|\n)*pango exploded"),
    ],
)
def test_the_renderer_runs_apart_and_a_hang_or_crash_fails_only_the_report(renderer, message):
    import multiprocessing

    from followup.pdf_render import RenderTimeout, write_pdf_bounded
    from tests import pdf_render_doubles

    render = getattr(pdf_render_doubles, renderer)
    with pytest.raises(Exception, match=message) as failure:
        try:
            write_pdf_bounded("<p>x</p>", {}, 0.5, render=render)
        except RenderTimeout as timeout:
            raise RuntimeError("RenderTimeout") from timeout
    assert isinstance(failure.value, RuntimeError)
    assert multiprocessing.active_children() == []


def test_the_renderer_leaves_what_it_inherited_out_of_its_garbage_collection():
    import gc

    from followup.pdf_render import write_pdf_bounded
    from tests.pdf_render_doubles import freeze_count

    here = gc.get_freeze_count()  # (not 0 on every Python: 3.12.1 starts with some frozen)
    in_child = int(write_pdf_bounded("<p>x</p>", {}, 30, render=freeze_count))
    assert in_child > 10_000  # what it inherited: WeasyPrint and the rest of the fork server
    assert gc.get_freeze_count() == here  # and this process still collects its own


@pytest.mark.django_db(transaction=True)
def test_the_time_bound_holds_in_a_threaded_server_too(cycle, settings):
    # (a render asked for in runserver's or gunicorn's threads is bounded like any other)
    import threading

    from followup.pdf import PdfTooLarge

    settings.VSPLAN_PDF_MAX_SECONDS = 0.001
    scope = PdfScope("support_area", support_area=SupportArea.objects.get(code="LED"))
    data = build_pdf_data(cycle=cycle, scope=scope, produced_by="x", language="sv",
                          today=date(2026, 3, 2))  # fmt: skip
    results = []

    def render():
        try:
            results.append(render_pdf(data))
        except PdfTooLarge as error:
            results.append(error)

    thread = threading.Thread(target=render)
    thread.start()
    thread.join()
    assert threading.active_count() >= 1 and len(results) == 1
    assert isinstance(results[0], PdfTooLarge)


@pytest.mark.django_db
def test_the_status_fragment_polls_until_ready(client, secretariat, cycle):
    stored = StoredPdf.objects.create(cycle=cycle, scope="programme", language="sv",
                                            requested_by=secretariat)  # fmt: skip
    client.force_login(secretariat)
    fragment = client.get(
        f"/cycles/2025/pdf/{stored.pk}/", headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and 'data-hx-trigger="every 2s"' in fragment
    assert "Hela programmets rapport tar upp till en minut eller två." in fragment
    # A smaller report is not announced with the whole programme's wait.
    smaller = StoredPdf.objects.create(cycle=cycle, scope="department", code="EDO",
                                       language="sv", requested_by=secretariat)  # fmt: skip
    page = client.get(f"/cycles/2025/pdf/{smaller.pk}/").content.decode()
    assert "tar några sekunder" in page and "Hela programmets" not in page


@pytest.mark.django_db
def test_render_pdf_command(cycle, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    out = tmp_path / "led.pdf"
    call_command("render_pdf", "--cycle", "2025", "--support-area", "3.7", "--language", "en",
                 "--output", str(out))  # fmt: skip
    assert out.read_bytes().startswith(b"%PDF-") and "Wrote" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no follow-up cycle for 1999"):
        call_command("render_pdf", "--cycle", "1999", "--output", str(out))
    with pytest.raises(CommandError, match="No department"):
        call_command("render_pdf", "--cycle", "2025", "--department", "NOPE", "--output", str(out))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"scope": "everything"}, {"scope": "support_area", "code": "NOPE"},
     {"scope": "department"}, {"lang": "de"}],
)  # fmt: skip
def test_bad_choices_get_a_clear_400(client, secretariat, cycle, params):
    client.force_login(secretariat)
    response = client.post("/cycles/2025/pdf/", params)
    html = response.content.decode()
    # The cycle's page again, the error beside the field it is about.
    assert response.status_code == 400 and "<html" in html
    field = re.search(r'<span class="field-error" id="pdf-(\w+)-error">Välj', html)
    assert field and f'aria-describedby="pdf-{field[1]}-error"' in html
    assert not StoredPdf.objects.exists()


@pytest.mark.django_db
def test_a_department_report_without_a_department_keeps_the_choice_and_says_what_is_missing(
    client, secretariat, cycle
):
    client.force_login(secretariat)
    response = client.post("/cycles/2025/pdf/", {"scope": "department", "code": "", "lang": "en"})
    html = response.content.decode()
    assert response.status_code == 400
    code = html.split('<select name="code" id="pdf-code"')[1].split("</p>")[0]
    assert 'aria-invalid="true"' in code and "Välj vilken avdelning rapporten gäller." in code
    assert '<option value="department" selected>' in html
    assert '<option value="en" selected lang="en">' in html


@pytest.mark.django_db
def test_readers_get_the_pdf_only_once_the_cycle_is_published(client, reader, cycle, monkeypatch):
    monkeypatch.setattr(
        "followup.pdf.render_pdf", lambda data: ("x.pdf", "application/pdf", b"%PDF-1.7")
    )
    client.force_login(reader)
    assert client.post("/cycles/2025/pdf/").status_code == 403
    cycles.cycle_close(cycle=cycle)
    cycles.cycle_publish(cycle=cycle)
    assert client.post("/cycles/2025/pdf/").status_code == 302


@pytest.mark.django_db
def test_typed_markup_in_a_narrative_stays_text_and_fetches_nothing(cycle, monkeypatch, settings):
    from followup import pdf_render

    fetched = []
    original = pdf_render.StaticOnlyFetcher.fetch
    monkeypatch.setattr(
        pdf_render.StaticOnlyFetcher,
        "fetch",
        lambda self, url, headers=None: fetched.append(url) or original(self, url, headers),
    )
    settings.VSPLAN_PDF_MAX_SECONDS = 0  # render here, where the fetches can be watched
    report = FollowUpReport.objects.get(cycle=cycle, area__key="LED-02")
    report.progress = '<script>alert(1)</script> <img src="http://attacker.example/x.png">'
    report.save()
    scope = PdfScope("support_area", support_area=SupportArea.objects.get(code="LED"))
    _reader, text = _text(_render(cycle, scope)[2])
    assert '<script>alert(1)</script> <img src="http://attacker.example/x.png">' in text
    assert fetched and all(url.startswith("https://vsplan.invalid/static/") for url in fetched)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/logo.png",
        "https://127.0.0.1/",
        "file:///etc/passwd",
        "https://vsplan.invalid/static/../../../etc/passwd",
        "https://vsplan.invalid/static/nothing-here.css",
        "https://vsplan.invalid.example.org/static/css/report.css",
        "vsplan-static:/css/report.css",
        "data:text/css,body{}",
    ],
)
def test_the_renderer_fetches_nothing_but_static_files(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher(report_static_files()).fetch(url)


def test_the_renderer_serves_the_shipped_fonts_and_stylesheet():
    fetcher = StaticOnlyFetcher(report_static_files())
    font = fetcher.fetch("https://vsplan.invalid/static/fonts/DejaVuSans.ttf")
    assert font.headers["Content-Type"] == "font/ttf"
    assert b"@page" in fetcher.fetch("https://vsplan.invalid/static/css/report.css").read()


@pytest.mark.django_db
def test_an_oversized_report_is_refused(cycle, monkeypatch):
    from followup import pdf
    from followup.pdf import PdfTooLarge

    monkeypatch.setattr(pdf, "MAX_AREAS", 5)
    with pytest.raises(PdfTooLarge):
        build_pdf_data(
            cycle=cycle,
            scope=PdfScope("programme"),
            produced_by="x",
            language="sv",
            today=date(2026, 3, 2),
        )
    assert DevelopmentArea.objects.count() == 72


@pytest.mark.django_db
def test_an_open_cycles_report_is_served_again_while_what_it_was_made_from_is_unchanged(
    client, secretariat, council, head, cycle, monkeypatch
):
    from django.utils import timezone

    from followup import pdf
    from followup.services import status_update_create

    calls = []
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda data: calls.append(1) or real(data))
    asked = {"scope": "support_area", "code": "LED", "lang": "sv"}
    client.force_login(secretariat)
    client.post("/cycles/2025/pdf/", asked)
    client.force_login(council)  # reads the same: shares the copy
    client.post("/cycles/2025/pdf/", asked)
    assert len(calls) == 1 and StoredPdf.objects.get().made_from
    # A change to the data makes the next request render it anew ...
    area = DevelopmentArea.objects.get(key="LED-03")
    status_update_create(area=area, author=secretariat, seen_version=area.status_version,
                         status="paused", traffic_light="green")  # fmt: skip
    client.post("/cycles/2025/pdf/", asked)
    assert len(calls) == 2
    client.post("/cycles/2025/pdf/", asked)
    assert len(calls) == 2  # ... once
    # ... and so does a new day (late, and the date it prints, change with it).
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    client.post("/cycles/2025/pdf/", asked)
    assert len(calls) == 3


@pytest.mark.django_db
def test_a_report_being_made_is_not_asked_for_twice(secretariat, cycle, monkeypatch):
    from types import SimpleNamespace

    from django.utils import timezone

    from followup import services, tasks
    from followup.cycle_selectors import pdf_readership

    queued = []
    monkeypatch.setattr(tasks, "render_stored_pdf", SimpleNamespace(enqueue=queued.append))
    readership = pdf_readership(secretariat, cycle, "programme", "")

    def ask():
        return services.pdf_request(cycle=cycle, scope="programme", code="", language="sv",
                                    user=secretariat, readership=readership)  # fmt: skip

    first = ask()
    assert queued == [first.pk] and first.state == StoredPdf.State.PENDING
    assert ask().pk == first.pk and queued == [first.pk]  # being made: not queued again
    # One that has waited for over ten minutes (its worker gone) is queued again.
    StoredPdf.objects.filter(pk=first.pk).update(
        requested_at=timezone.now() - timezone.timedelta(minutes=11)
    )
    ask()
    assert queued == [first.pk, first.pk]
