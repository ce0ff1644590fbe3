"""The cycle's pages end to end: create, open, report in place, review, remind, close, publish."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from areas.models import ActionPlan, Department, DevelopmentArea, ExternalDependency
from followup import cycles
from followup.models import FollowUpCycle, FollowUpReport, IndicatorValue

HX = {"HX-Request": "true"}


@pytest.fixture
def open_cycle(kth_plan) -> FollowUpCycle:
    today = timezone.localdate()
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=today - timedelta(days=5), deadline=today + timedelta(days=10))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    cycle.refresh_from_db()
    return cycle


def _report_url(key="UTB-01", year=2025) -> str:
    return f"/cycles/{year}/reports/{key}/"


def _report(key="UTB-01") -> FollowUpReport:
    return FollowUpReport.objects.get(area__key=key)


def _post_data(**overrides) -> dict:
    data = {
        "version": 0, "status": "ongoing", "traffic_light": "green", "traffic_light_reason": "",
        "progress": "Routines drafted.", "next_steps": "", "revised_end_text": "",
        "risk-TOTAL_FORMS": 1, "risk-INITIAL_FORMS": 0, "risk-MIN_NUM_FORMS": 0, "risk-MAX_NUM_FORMS": 30,
        "risk-0-aspect": "", "risk-0-description": "", "risk-0-likelihood": "", "risk-0-consequence": "",
        "benefit-TOTAL_FORMS": 0, "benefit-INITIAL_FORMS": 0, "benefit-MIN_NUM_FORMS": 0,
        "benefit-MAX_NUM_FORMS": 50, "action": "draft",
    }  # fmt: skip
    return data | overrides


# -- the secretariat creates and opens -------------------------------------------------


@pytest.mark.django_db
def test_secretariat_creates_and_opens_a_cycle(client, secretariat):
    client.force_login(secretariat)
    response = client.post("/cycles/", {"year": 2025, "name": "Uppföljning 2025", "opens_on": "2026-01-15",
                                        "deadline": "2026-03-31", "reminder_days": "14, 3"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == "/cycles/2025/"
    cycle = FollowUpCycle.objects.get()
    assert (cycle.state, cycle.reminder_days) == ("draft", "14,3")
    response = client.post("/cycles/2025/open/", follow=True)
    assert "Uppföljning 2025 är öppnad: 69 rapporter skapade." in response.content.decode()
    html = response.content.decode()
    assert "Rapporter per stödområde" in html and "3.5 Infrastrukturstöd" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"deadline": "2026-01-01"}, "Sista dag får inte vara före öppningsdagen."),
        ({"reminder_days": "two weeks"}, "Skriv hela antal dagar"),
        ({"year": "1999"}, "större än eller lika med 2000"),
        ({"opens_on": "31/02/2026"}, "Fyll i ett giltigt datum."),
        ({"name": "x" * 101}, "Skriv högst 100 tecken"),
    ],
)
def test_bad_cycle_input_is_refused_with_a_message(client, secretariat, data, message):
    client.force_login(secretariat)
    base = {
        "year": 2025,
        "name": "U",
        "opens_on": "2026-01-15",
        "deadline": "2026-03-31",
        "reminder_days": "14,3",
    }
    response = client.post("/cycles/", base | data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not FollowUpCycle.objects.exists()


@pytest.mark.django_db
def test_a_second_cycle_for_a_year_is_refused_on_the_page(client, secretariat, open_cycle):
    client.force_login(secretariat)
    response = client.post("/cycles/", {"year": 2025, "name": "Igen", "opens_on": "2026-01-15",
                                        "deadline": "2026-03-31", "reminder_days": "14"})  # fmt: skip
    assert "Det finns redan en uppföljning för 2025." in response.content.decode()
    assert FollowUpCycle.objects.count() == 1


# -- the head reports in place ---------------------------------------------------------


@pytest.mark.django_db
def test_head_saves_a_draft_in_place_then_submits(client, head, open_cycle):
    client.force_login(head)
    risk = {"risk-0-aspect": 2, "risk-0-description": "Ladok is late.", "risk-0-likelihood": 3,
            "risk-0-consequence": 4, "risk-0-mitigation": "Talk to IT.", "risk-0-shared_with_unions": "on"}  # fmt: skip
    response = client.post(_report_url(), _post_data(**risk), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="report">') and "Utkastet är sparat." in html
    report = _report()
    assert (report.state, report.progress, report.version) == ("draft", "Routines drafted.", 1)
    risk_row = report.risks.get()
    assert (risk_row.likelihood, risk_row.consequence, risk_row.shared_with_unions) == (3, 4, True)
    response = client.post(_report_url(), _post_data(version=1, action="submit", **risk))
    assert response.status_code == 302
    assert _report().state == "submitted"
    page = client.get(_report_url()).content.decode()
    assert "Inskickad" in page and "<form" not in page.split('id="report"')[1].split("</div>")[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"risk-0-description": "Risk", "risk-0-aspect": 1, "risk-0-likelihood": 9,
          "risk-0-consequence": 2}, "Välj ett giltigt alternativ"),
        ({"risk-0-description": "Risk"}, "Behövs för varje risk."),
        ({"traffic_light": "red"}, "Ange varför trafikljuset är gult eller rött."),
        ({"action": "submit", "status": ""}, "För att skicka in, fyll i: status."),
        ({"risk-0-aspect": 99999, "risk-0-description": "Risk", "risk-0-likelihood": 1,
          "risk-0-consequence": 1}, "Välj ett giltigt alternativ."),
    ],
)  # fmt: skip
def test_bad_report_input_shows_a_message_and_changes_nothing(
    client, head, open_cycle, overrides, message
):
    client.force_login(head)
    response = client.post(_report_url(), _post_data(**overrides), headers=HX)
    assert response.status_code == 200 and message in response.content.decode()
    report = _report()
    assert (report.state, report.version, report.progress, report.risks.count()) == (
        "not_started",
        0,
        "",
        0,
    )


@pytest.mark.django_db
def test_the_form_posts_everything_its_formsets_need_even_without_benefits(
    client, head, open_cycle
):
    # Regression: a report with no benefit rows once left out the benefits'
    # management form, so a browser's save failed without a word.
    client.force_login(head)
    html = client.get(_report_url()).content.decode()
    for name in ["risk-TOTAL_FORMS", "benefit-TOTAL_FORMS", "benefit-INITIAL_FORMS"]:
        assert f'name="{name}"' in html


@pytest.mark.django_db
def test_a_tampered_formset_gets_a_message_not_silence(client, head, open_cycle):
    client.force_login(head)
    data = {k: v for k, v in _post_data().items() if not k.startswith("benefit-")}
    response = client.post(_report_url(), data, headers=HX)
    assert response.status_code == 200
    assert 'class="field-error" role="alert"' in response.content.decode()
    assert _report().version == 0


@pytest.mark.django_db
def test_head_cannot_report_for_another_department(client, head, open_cycle):
    client.force_login(head)
    assert client.post(_report_url("INF-01"), _post_data()).status_code == 403
    assert _report("INF-01").state == "not_started"


@pytest.mark.django_db
def test_a_closed_cycle_cannot_be_reported_in(client, head, open_cycle):
    cycles.cycle_close(cycle=open_cycle)
    client.force_login(head)
    assert client.post(_report_url(), _post_data()).status_code == 403
    assert _report().state == "not_started"


# -- review ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_secretariat_approves_one_and_returns_another(client, head, secretariat, open_cycle):
    client.force_login(head)
    client.post(_report_url("UTB-01"), _post_data(action="submit"))
    client.post(_report_url("UTB-02"), _post_data(action="submit"))
    client.force_login(secretariat)
    overview = client.get("/cycles/2025/").content.decode()
    assert "Väntar på granskning" in overview and "UTB-01" in overview
    response = client.post(
        _report_url("UTB-01") + "review/", {"decision": "approve", "reviewer_light": "green"}
    )
    assert response.status_code == 302 and _report("UTB-01").state == "approved"
    refused = client.post(
        _report_url("UTB-02") + "review/", {"decision": "return", "reviewer_light": "amber"}
    )
    html = refused.content.decode()
    assert "Ange varför ditt trafikljus skiljer sig från ägarens." in html
    assert _report("UTB-02").state == "submitted"
    client.post(_report_url("UTB-02") + "review/", {"decision": "return", "reviewer_light": "amber",
                                                    "reviewer_reason": "Ladok slips.",
                                                    "comment": "Add the Ladok risk."})  # fmt: skip
    assert _report("UTB-02").state == "returned"
    client.force_login(head)
    my = client.get("/my/").content.decode()
    row = my[my.index('<tr id="row-UTB-02">') :]
    row = row[: row.index("</tr>")]
    assert (
        "Återskickad med en kommentar från sekretariatet:" in row and "Add the Ladok risk." in row
    )
    page = client.get(_report_url("UTB-02")).content.decode()
    assert "Add the Ladok risk." in page and "<form" in page


# -- reminders, close, publish ---------------------------------------------------------


@pytest.mark.django_db
def test_the_reminder_button_sends_once(client, head, secretariat, open_cycle):
    client.force_login(secretariat)
    first = client.post("/cycles/2025/remind/", follow=True).content.decode()
    assert "Påminnelser skickade: 1; redan skickade: 0; misslyckade: 0." in first
    second = client.post("/cycles/2025/remind/", follow=True).content.decode()
    assert "Påminnelser skickade: 0; redan skickade: 1" in second
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_closed_and_published_cycle_keeps_old_values_and_readers_see_it(
    client, head, secretariat, reader, open_cycle
):
    client.force_login(head)
    client.post(_report_url(), _post_data(action="submit"))
    client.force_login(secretariat)
    client.post("/cycles/2025/close/", {"confirm": "yes"})
    area = DevelopmentArea.objects.get(key="UTB-01")
    area.title = "Renamed after the close"
    area.save()
    client.force_login(reader)
    assert client.get("/cycles/2025/").status_code == 403  # closed, not yet published
    client.force_login(secretariat)
    client.post("/cycles/2025/publish/", {"confirm": "yes"})
    client.force_login(reader)
    page = client.get(_report_url()).content.decode()
    assert "Inresande utbytesstudenter" in page and "Renamed after the close" not in page
    assert "Routines drafted." in page
    assert "Uppföljning 2025" in client.get("/cycles/").content.decode()


# -- goals, PULS, dependencies, counts -------------------------------------------------


@pytest.mark.django_db
def test_goal_assessments_and_puls_values_with_small_groups_hidden(client, secretariat, open_cycle):
    client.force_login(secretariat)
    goal_data = {
        "goal-1-assessment": "On track.",
        "goal-2-assessment": "",
        "goal-3-assessment": "PULS up.",
    }
    assert client.post("/cycles/2025/goals/", goal_data).status_code == 302
    from tests.followup.test_indicator_values import indicator_data

    values = {"EDO": ("71.5", 12), "HR": ("71.5", 3)}
    response = client.post("/cycles/2025/goals/", indicator_data("PULS index", values))
    assert response.status_code == 302
    assert IndicatorValue.objects.count() == 2
    html = client.get("/cycles/2025/").content.decode()
    assert "On track." in html and "PULS up." in html
    assert "<td>71,50</td>" in html.split("<td>EDO</td>")[1][:40]  # Swedish: a decimal comma
    hr_row = html.split("<td>HR</td>")[1][:120]
    assert "visas inte (för få svarande)" in hr_row and "71.5" not in hr_row
    bad = client.post(
        "/cycles/2025/goals/", indicator_data("PULS index", {"EDO": ("abc", -4), "HR": ("1", 3)})
    )
    assert bad.status_code == 200 and "Fyll i ett tal." in bad.content.decode()
    assert IndicatorValue.objects.get(department__code="EDO").respondents == 12
    assert IndicatorValue.objects.get(department__code="HR").value == Decimal("71.5")


@pytest.mark.django_db
def test_slipping_dependencies_warn_on_area_my_areas_and_overview(
    client, head, secretariat, open_cycle
):
    ladok = ExternalDependency.objects.get(code="LADOK")
    ladok.state = "delayed"
    ladok.save()
    client.force_login(head)
    assert "Hålls upp av: Ladok (försenat)" in client.get("/areas/UTB-01/").content.decode()
    assert "Hålls upp av: Ladok (försenat)" in client.get("/my/").content.decode()
    assert "Hålls upp av:" not in client.get("/areas/HR-01/").content.decode()
    client.force_login(secretariat)
    overview = client.get("/cycles/2025/").content.decode()
    assert "Hålls upp av beroenden" in overview and "UTB-03" in overview


@pytest.mark.django_db
def test_overview_query_count_does_not_grow_with_the_plan(client, secretariat, open_cycle):
    client.force_login(secretariat)

    def count() -> int:
        client.get("/cycles/2025/")
        with CaptureQueriesContext(connection) as queries:
            client.get("/cycles/2025/")
        return len(queries)

    before = count()
    plan = ActionPlan.objects.get()
    areas = list(DevelopmentArea.objects.filter(upcoming=False)[:30])
    for i, area in enumerate(areas):
        area.pk, area.key, area.order = None, f"X-{i}", 100 + i
        area.save()
    FollowUpReport.objects.bulk_create(FollowUpReport(cycle=open_cycle, area=a) for a in areas)
    assert DevelopmentArea.objects.filter(plan=plan).count() == 102
    # 1 session, 2 user, 3 current plan, 4 the cycle, 5 groups of the user,
    # 6 its reports with areas, support areas, departments and who submitted (where
    # they stand: the reports say), 7 the heads of the responsible departments (the
    # grid), 8-10 what holds areas up (delayed or blocked dependencies, links between
    # areas, the latest status of the areas linked), 11 the previous cycle (none),
    # 12 the goals with their assessments, 13 indicator values, 14 departments the
    # user heads (navigation), 15 stored report PDFs, 16-17 support areas and
    # departments (the PDF form's choices), 18 reminders sent, 19 the cycle's history.
    assert count() == before == 19


@pytest.mark.django_db
def test_setup_demo_creates_a_marked_fictional_history(client, capsys):
    from django.core.management import call_command

    call_command("setup_demo", "--allow-without-debug")
    assert "fictional follow-up history" in capsys.readouterr().out
    year = timezone.localdate().year
    states = dict(FollowUpCycle.objects.values_list("year", "state"))
    assert states == {year - 2: "published", year - 1: "open"}
    current = FollowUpCycle.objects.get(state="open")
    assert {"submitted", "returned", "approved", "draft", "not_started"} <= set(
        current.reports.values_list("state", flat=True)
    )
    assert IndicatorValue.objects.exists()
    client.post("/login/", {"username": "council", "password": "vsplan-demo"})
    html = client.get(f"/cycles/{year - 1}/").content.decode()
    assert "demodata" in html
    # KTH's plan text is untouched.
    assert DevelopmentArea.objects.get(key="UTB-01").title == "Inresande utbytesstudenter"
    assert Department.objects.get(code="EDO").name_sv == "Avdelningen för utbildningsstöd"
    call_command("setup_demo", "--allow-without-debug")
    assert "Nothing to do" in capsys.readouterr().out
    assert FollowUpCycle.objects.count() == 2


@pytest.mark.django_db
def test_the_reminder_days_read_as_words_not_as_a_decimal(client, secretariat, open_cycle):
    open_cycle.reminder_days = "3,14"
    open_cycle.save()
    client.force_login(secretariat)
    page = client.get("/cycles/2025/").content.decode()
    assert "14 och 3 dagar före" in page and "3,14" not in page


@pytest.mark.django_db
def test_the_changes_say_whether_there_was_a_previous_cycle_to_compare_with(client, secretariat):
    plan = ActionPlan.objects.get()
    first = cycles.cycle_create(plan=plan, year=2024, name="Uppföljning 2024",
                                opens_on=date(2024, 11, 1), deadline=date(2024, 12, 1))  # fmt: skip
    client.force_login(secretariat)
    page = client.get("/cycles/2024/").content.decode()
    assert "Det finns ingen tidigare uppföljning att jämföra med." in page
    assert "Skede" in page and "Läge</dt>" not in page
    cycles.cycle_open(cycle=first)
    cycles.cycle_close(cycle=first)
    cycles.cycle_create(plan=plan, year=2025, name="Uppföljning 2025",
                        opens_on=date(2025, 11, 1), deadline=date(2099, 12, 1))  # fmt: skip
    page = client.get("/cycles/2025/").content.decode()
    assert "Inget har ändrats sedan Uppföljning 2024." in page


@pytest.mark.django_db
def test_a_forms_address_asked_for_again_leads_to_the_forms_page(client, secretariat, open_cycle):
    """After a review refused with its errors the address is …/review/: a reload or the
    language switch asks for it with GET, and reaches the report, not an empty 405."""
    client.force_login(secretariat)
    shown = client.post(_report_url("UTB-01") + "review/", {"decision": "approve"})
    assert shown.status_code in (200, 400)
    again = client.get(_report_url("UTB-01") + "review/")
    assert again.status_code == 302 and again.url == _report_url("UTB-01")
    switched = client.post("/i18n/setlang/", {"language": "en", "next": _report_url("UTB-01") + "review/"}, follow=True)  # fmt: skip
    assert switched.status_code == 200 and "UTB-01" in switched.content.decode()
    assert client.get("/cycles/2025/remind/7/").url == "/cycles/2025/"
    assert client.put(_report_url("UTB-01") + "review/").status_code == 405
