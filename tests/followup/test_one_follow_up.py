"""One follow-up: a head fills in one thing per period, sees the cycle and its deadline,
and nothing said is ever overwritten without a trace."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from areas.models import ActionPlan, DevelopmentArea
from followup import cycles
from followup.models import (
    AuditEntry,
    FollowUpCycle,
    FollowUpReport,
    Review,
    StatusUpdate,
)
from followup.services import status_update_create

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def open_cycle(kth_plan, secretariat) -> FollowUpCycle:
    today = timezone.localdate()
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=today - timedelta(days=5),
                                deadline=today + timedelta(days=9), user=secretariat)  # fmt: skip
    cycles.cycle_open(cycle=cycle, user=secretariat)
    return cycle


def _report(key: str = "UTB-03") -> FollowUpReport:
    return FollowUpReport.objects.get(area__key=key, cycle__state="open")


def _status(client, key: str, **fields):
    area = DevelopmentArea.objects.get(key=key)
    data = {"version": area.status_version, "status": "ongoing", "traffic_light": "green"}
    return client.post(f"/areas/{key}/status/", data | fields, headers=HX)


def _card(page: str, key: str) -> str:
    """One area's status card on a page."""
    start = page.index(f'id="status-{key}"')
    following = page.find('class="status-card"', start)
    return page[start : following if following > 0 else None]


def _section(page: str, anchor: str) -> str:
    start = page.index(anchor)
    return page[start : page.index("</section>", start)]


def _submit(report: FollowUpReport, user, **fields) -> None:
    report.refresh_from_db()
    cycles.report_save(report=report, user=user, seen_version=report.version,
                       fields={"status": "ongoing", "traffic_light": "green"} | fields,
                       risks=[], benefits=[], submit=True)  # fmt: skip


# -- one reporting flow ---------------------------------------------------------------


def test_a_status_update_while_the_cycle_is_open_is_the_report(client, head, open_cycle):
    client.force_login(head)
    response = _status(client, "UTB-03", status="finished", traffic_light="red",
                       traffic_light_reason="Stopped by the vendor.", progress="Done early.")  # fmt: skip
    assert response.status_code == 200
    report = _report()
    assert (report.state, report.status, report.traffic_light) == ("draft", "finished", "red")
    assert report.traffic_light_reason == "Stopped by the vendor."
    assert report.progress == "Done early."
    assert report.versions.count() == 1  # and the version is kept
    # My areas says one thing: the report holding the status, no second "not reported".
    card = _card(client.get("/my/?view=cards").content.decode(), "UTB-03")
    assert "rapporten</a> är utkast" in card and "Ej rapporterad" not in card
    table = client.get("/my/").content.decode()
    row = table[table.index('<tr id="row-UTB-03">') :]
    row = row[: row.index("</tr>")]
    assert "Avslutad" in row and "Rött (avviker)" in row and ">Utkast<" in row
    assert "Ännu inte rapporterad" not in row


def test_saving_the_report_is_the_areas_status_too(client, head, open_cycle):
    report = _report()
    cycles.report_save(report=report, user=head, seen_version=report.version,
                       fields={"status": "paused", "traffic_light": "amber",
                               "traffic_light_reason": "Waiting for staff.", "progress": "Half."},
                       risks=[], benefits=[], submit=False)  # fmt: skip
    latest = StatusUpdate.objects.latest_per_area().get(area__key="UTB-03")
    assert (latest.status, latest.traffic_light, latest.author) == ("paused", "amber", head)
    assert latest.traffic_light_reason == "Waiting for staff." and latest.progress == "Half."
    # Saving again without a change to the status adds no second status update.
    report.refresh_from_db()
    cycles.report_save(report=report, user=head, seen_version=report.version,
                       fields={"status": "paused", "traffic_light": "amber",
                               "traffic_light_reason": "Waiting for staff.", "progress": "Half."},
                       risks=[], benefits=[], submit=True)  # fmt: skip
    assert StatusUpdate.objects.filter(area__key="UTB-03").count() == 1
    assert report.versions.count() == 2


def test_a_handed_in_report_holds_the_status_until_the_cycle_closes(client, head, open_cycle):
    _submit(_report(), head)
    client.force_login(head)
    before = StatusUpdate.objects.count()
    response = _status(client, "UTB-03", status="finished")
    assert "har skickats in" in response.content.decode()
    assert StatusUpdate.objects.count() == before and _report().status == "ongoing"
    # The card offers no status form, and says why.
    card = _card(client.get("/my/?view=cards").content.decode(), "UTB-03")
    assert "be sekretariatet att skicka tillbaka" in card and "Uppdatera status" not in card


def test_the_status_form_opens_with_what_was_said_last(client, head, kth_plan):
    area = DevelopmentArea.objects.get(key="UTB-01")
    status_update_create(area=area, author=head, seen_version=0, status="ongoing",
                         traffic_light="red", traffic_light_reason="No money.",
                         progress="Pilot done.", next_steps="Find money.")  # fmt: skip
    client.force_login(head)
    form = client.get("/areas/UTB-01/status/", headers=HX).content.decode()
    for text in ["No money.", "Pilot done.", "Find money."]:
        assert text in form


# -- heads see their cycle --------------------------------------------------------------


def test_heads_see_the_cycle_its_deadline_and_what_is_left(client, head, secretariat, open_cycle):
    first = _report("UTB-01")
    _submit(first, head)
    cycles.report_review(report=_report("UTB-01"), user=secretariat, approve=False,
                         reviewer_light="green", comment="Say more about the risks.")  # fmt: skip
    client.force_login(head)
    page = client.get("/my/").content.decode()
    banner = page[page.index('class="cycle-banner"') :][:4000]
    assert "Uppföljning 2025" in banner and "9 dagar kvar" in banner
    reports = FollowUpReport.objects.filter(area__responsible_department__code="EDO")
    assert f"av dina {reports.count()} rapporter" in banner
    # the returned one first, with the secretariat's comment
    assert banner.index("UTB-01") < banner.index("UTB-02")
    assert "Say more about the risks." in banner
    # and the same banner on each of their reports
    assert 'class="cycle-banner"' in client.get("/cycles/2025/reports/UTB-02/").content.decode()


def test_heads_reach_the_open_cycle_with_just_their_reports(client, head, open_cycle):
    client.force_login(head)
    assert "Uppföljning 2025" in client.get("/cycles/").content.decode()
    page = client.get("/cycles/2025/").content.decode()
    grid = _section(page, 'id="grid"')
    assert "UTB-01" in grid and "INF-01" not in grid
    assert "/cycles/2025/close/" not in page and "/remind/" not in page


def test_no_link_a_user_is_shown_leads_to_a_403(client, head, secretariat, council, reader,
                                                open_cycle):  # fmt: skip
    """Walk every page a user can reach by following links (GET only) and open them all."""
    import re
    from collections import Counter
    from urllib.parse import urljoin, urlparse

    # Filters narrow a page, they do not change who may open it: one address per page
    # whatever its filters (every cycle and every list behind a figure still its own).
    filters = {"support_area", "department", "status", "traffic_light", "aspect",
               "likelihood", "consequence", "focus", "late", "stale", "q", "page", "state"}  # fmt: skip

    def page_of(url: str) -> tuple:
        parsed = urlparse(url)
        pairs = [pair.partition("=") for pair in parsed.query.split("&") if pair]
        return parsed.path, tuple(sorted((k, v) for k, _s, v in pairs if k not in filters))

    # And the pages of one kind of object (an area, a report) are the same page: the first
    # eight of each kind a user is shown are opened (the crawl then reaches every kind).
    def kind_of(url: str) -> str:
        return re.sub(r"/[A-ZÅÄÖ]+-\d+/", "/*/", urlparse(url).path)

    for user in (head, secretariat, council, reader):
        client.force_login(user)
        seen, queue, refused, kinds = set(), ["/"], [], Counter()
        while queue and len(seen) < 250:
            url = queue.pop(0)
            if page_of(url) in seen or ("/*/" in kind_of(url) and kinds[kind_of(url)] >= 8):
                continue
            seen.add(page_of(url))
            kinds[kind_of(url)] += 1
            response = client.get(url, follow=True)
            if response.status_code == 403:
                refused.append(url)
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            for href in re.findall(r'href="([^"#]+)', response.content.decode()):
                href = urljoin(url, href.replace("&amp;", "&"))
                parsed = urlparse(href)
                if (
                    parsed.netloc
                    or not parsed.path.startswith("/")
                    or parsed.path.startswith(
                        ("/static/", "/admin/", "/logout", "/i18n/", "/oidc/")
                    )
                ):
                    continue
                if parsed.path.endswith((".xlsx", ".csv", ".json")) or "/download/" in href:
                    continue
                queue.append(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
        assert refused == [], (user.username, refused)


# -- the secretariat's reporting grid and the review queue ------------------------------


def test_the_grid_filters_by_state_support_area_and_department(client, secretariat, head,
                                                                open_cycle):  # fmt: skip
    _submit(_report("UTB-01"), head)
    client.force_login(secretariat)
    page = client.get("/cycles/2025/?state=submitted#grid").content.decode()
    grid = _section(page, 'id="grid"')
    assert "UTB-01" in grid and "UTB-02" not in grid and "1 rapport " in grid
    page = client.get("/cycles/2025/?support_area=HR").content.decode()
    grid = _section(page, 'id="grid"')
    assert "HR-01" in grid and "UTB-01" not in grid
    page = client.get("/cycles/2025/?department=EDO").content.decode()
    grid = _section(page, 'id="grid"')
    assert "UTB-01" in grid and "HR-01" not in grid
    # the counts are links into it
    assert '?support_area=UTB&amp;state=submitted#grid">1</a>' in page


def test_the_secretariat_reminds_one_head_from_the_grid(client, secretariat, head, open_cycle):
    client.force_login(secretariat)
    response = client.post(f"/cycles/2025/remind/{head.pk}/", follow=True)
    assert "Påminde" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [head.email]
    assert "http://127.0.0.1:8000/cycles/2025/reports/UTB-01/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(kind="reminder", user=secretariat).exists()


def test_after_a_review_the_next_report_in_the_queue_opens(client, secretariat, head,
                                                            open_cycle):  # fmt: skip
    for key in ("UTB-01", "UTB-04", "UTB-07"):
        _submit(_report(key), head)
    client.force_login(secretariat)
    response = client.post("/cycles/2025/reports/UTB-04/review/",
                           {"decision": "approve", "reviewer_light": "green"})  # fmt: skip
    assert response.url == "/cycles/2025/reports/UTB-07/"
    response = client.post("/cycles/2025/reports/UTB-07/review/",
                           {"decision": "approve", "reviewer_light": "green"})  # fmt: skip
    assert response.url == "/cycles/2025/reports/UTB-01/"  # back to the first still waiting


# -- cycle administration --------------------------------------------------------------------


def test_closing_asks_first_and_says_what_is_left(client, secretariat, head, open_cycle):
    _submit(_report("UTB-01"), head)
    client.force_login(secretariat)
    page = client.get("/cycles/2025/close/").content.decode()
    not_started = FollowUpReport.objects.filter(state="not_started").count()
    assert f"{not_started} ej påbörjade" in page and "Stäng ändå" in page
    assert "har inte passerats" in page  # before the deadline
    response = client.post("/cycles/2025/close/")  # no confirmation: asked again
    assert response.status_code == 200 and FollowUpCycle.objects.get().is_open
    response = client.post("/cycles/2025/close/", {"confirm": "yes"})
    assert response.status_code == 302 and FollowUpCycle.objects.get().is_closed
    history = client.get("/cycles/2025/").content.decode()
    assert "Uppföljning stängd" in history and secretariat.get_full_name() in history


def test_publishing_asks_first(client, secretariat, open_cycle):
    cycles.cycle_close(cycle=open_cycle, user=secretariat)
    client.force_login(secretariat)
    assert "kan inte ångras" in client.get("/cycles/2025/publish/").content.decode()
    client.post("/cycles/2025/publish/")
    assert FollowUpCycle.objects.get().is_closed
    client.post("/cycles/2025/publish/", {"confirm": "yes"})
    assert FollowUpCycle.objects.get().is_published


def test_the_deadline_can_be_extended_and_it_is_recorded(client, secretariat, open_cycle):
    client.force_login(secretariat)
    later = open_cycle.deadline + timedelta(days=14)
    client.post("/cycles/2025/deadline/", {"deadline": later.isoformat()})
    assert FollowUpCycle.objects.get().deadline == later
    entry = AuditEntry.objects.get(kind="cycle_deadline")
    assert (entry.before, entry.after, entry.user) == (
        open_cycle.deadline.isoformat(),
        later.isoformat(),
        secretariat,
    )
    # a deadline before the opening date, or none at all: a message, and nothing changes
    for bad in ["2000-01-01", "soon"]:
        response = client.post("/cycles/2025/deadline/", {"deadline": bad}, follow=True)
        assert response.status_code == 200 and FollowUpCycle.objects.get().deadline == later
        assert 'class="message error"' in response.content.decode()


def test_a_closed_cycle_reopens_for_a_reason_and_not_once_published(client, secretariat,
                                                                     open_cycle):  # fmt: skip
    cycles.cycle_close(cycle=open_cycle, user=secretariat)
    client.force_login(secretariat)
    response = client.post("/cycles/2025/reopen/", {"reason": ""})
    assert response.status_code == 200 and FollowUpCycle.objects.get().is_closed
    client.post("/cycles/2025/reopen/", {"reason": "Two reports came in late."})
    assert FollowUpCycle.objects.get().is_open
    assert AuditEntry.objects.get(kind="cycle_reopened").after == "Two reports came in late."
    cycles.cycle_close(cycle=open_cycle, user=secretariat)
    cycles.cycle_publish(cycle=open_cycle, user=secretariat)
    client.post("/cycles/2025/reopen/", {"reason": "Again."})
    assert FollowUpCycle.objects.get().is_published


def test_a_draft_cycle_can_be_deleted_and_an_open_one_cannot(client, secretariat, kth_plan):
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2031, name="Av misstag",
                                opens_on=timezone.localdate(),
                                deadline=timezone.localdate() + timedelta(days=30))  # fmt: skip
    client.force_login(secretariat)
    client.post("/cycles/2031/delete/", {"confirm": "yes"})
    assert not FollowUpCycle.objects.filter(year=2031).exists()
    assert AuditEntry.objects.get(kind="cycle_deleted").subject == "Av misstag"
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2031, name="Riktig",
                                opens_on=timezone.localdate(),
                                deadline=timezone.localdate() + timedelta(days=30))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    client.post("/cycles/2031/delete/", {"confirm": "yes"})
    assert FollowUpCycle.objects.filter(year=2031).exists()


def test_opening_before_the_opening_date_asks_first(client, secretariat, kth_plan):
    today = timezone.localdate()
    cycles.cycle_create(plan=ActionPlan.objects.get(), year=2030, name="Tidig",
                        opens_on=today + timedelta(days=10),
                        deadline=today + timedelta(days=40))  # fmt: skip
    client.force_login(secretariat)
    page = client.post("/cycles/2030/open/").content.decode()
    assert FollowUpCycle.objects.get(year=2030).is_draft and "öppnar" in page
    client.post("/cycles/2030/open/", {"confirm": "yes"})
    assert FollowUpCycle.objects.get(year=2030).is_open


# -- notifications ------------------------------------------------------------------------------


@override_settings(VSPLAN_SITE_URL="https://vsplan.example.org")
def test_a_returned_or_approved_report_is_told_by_e_mail_with_a_working_link(
    client, secretariat, head, open_cycle, django_capture_on_commit_callbacks
):
    _submit(_report("UTB-01"), head)
    with django_capture_on_commit_callbacks(execute=True):
        cycles.report_review(report=_report("UTB-01"), user=secretariat, approve=False,
                             reviewer_light="amber", reviewer_reason="Late.",
                             comment="Describe the risk.")  # fmt: skip
    (message,) = mail.outbox
    assert message.to == [head.email] and "UTB-01" in message.subject
    assert "Describe the risk." in message.body
    link = "https://vsplan.example.org/cycles/2025/reports/UTB-01/"
    assert link in message.body
    client.force_login(head)
    assert client.get(link.removeprefix("https://vsplan.example.org")).status_code == 200


def test_a_notification_the_mail_server_refused_is_sent_later(
    secretariat, head, open_cycle, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.management import call_command

    _submit(_report("UTB-01"), head)

    def refuse(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("followup.cycles.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        cycles.report_review(report=_report("UTB-01"), user=secretariat, approve=True,
                             reviewer_light="green")  # fmt: skip
    assert _report("UTB-01").state == "approved"  # the review is not lost
    assert mail.outbox == []
    monkeypatch.undo()
    out = __import__("io").StringIO()
    call_command("send_reminders", stdout=out)  # what cron runs every day
    (sent,) = [m for m in mail.outbox if "Godkänd" in m.subject]
    assert sent.to == [head.email] and "review e-mails: sent 1, failed 0" in out.getvalue()
    from followup.models import Notification

    assert Notification.objects.get().sent_at is not None


# -- nothing is overwritten without a trace ---------------------------------------------------


def test_every_review_stays_with_its_comment(client, secretariat, head, open_cycle):
    _submit(_report("UTB-01"), head)
    cycles.report_review(report=_report("UTB-01"), user=secretariat, approve=False,
                         reviewer_light="green", comment="First: say more.")  # fmt: skip
    _submit(_report("UTB-01"), head, progress="More.")
    cycles.report_review(report=_report("UTB-01"), user=secretariat, approve=True,
                         reviewer_light="green")  # fmt: skip
    assert list(Review.objects.values_list("decision", flat=True)) == ["approve", "return"]
    client.force_login(head)
    page = client.get("/cycles/2025/reports/UTB-01/").content.decode()
    assert "First: say more." in page and "2 granskningar" in page
    history = client.get("/cycles/2025/reports/UTB-01/history/").content.decode()
    assert "Version 2" in history and "More." in history and "First: say more." in history


def test_the_audit_trail_lists_every_kind_of_change(client, secretariat, head, admin_user,
                                                     open_cycle):  # fmt: skip
    from areas.models import Group

    _submit(_report("UTB-01"), head, progress="Visible in the trail.")
    client.force_login(admin_user)
    group = Group.objects.create(support_area_id=1, name="Temporary", order=99)
    client.post(f"/admin/areas/group/{group.pk}/delete/", {"post": "yes"})
    client.force_login(secretariat)
    page = client.get("/audit/").content.decode()
    for text in ["Rapport inskickad", "Uppföljning öppnad", "Statusuppdatering", "Temporary"]:
        assert text in page, text
    only_utb01 = client.get("/audit/?area=UTB-01").content.decode()
    assert "Rapport inskickad" in only_utb01 and "Uppföljning öppnad" not in only_utb01
    by_user = client.get(f"/audit/?user={admin_user.username}").content.decode()
    assert "Temporary" in by_user and "Rapport inskickad" not in by_user
    client.force_login(head)
    assert client.get("/audit/").status_code == 403


def test_goal_assessments_and_indicators_keep_what_they_replaced(secretariat, open_cycle):
    from areas.models import Department, ProgrammeGoal
    from followup.services import goal_assessments_save, indicator_value_save

    goal = ProgrammeGoal.objects.first()
    goal_assessments_save(cycle=open_cycle, user=secretariat, assessments={goal: "First."})
    goal_assessments_save(cycle=open_cycle, user=secretariat, assessments={goal: "Second."})
    entry = AuditEntry.objects.filter(kind="goal_assessed").first()
    assert (entry.before, entry.after, entry.user) == ("First.", "Second.", secretariat)
    edo = Department.objects.get(code="EDO")
    indicator_value_save(cycle=open_cycle, user=secretariat, name="PULS", department=edo,
                         value=70, respondents=12)  # fmt: skip
    indicator_value_save(cycle=open_cycle, user=secretariat, name="PULS", department=edo,
                         value=72, respondents=12)  # fmt: skip
    entry = AuditEntry.objects.filter(kind="indicator").first()
    assert (entry.before, entry.after) == ("70.00 (12)", "72 (12)")


def test_the_audit_trail_words_a_report_state_in_the_readers_language(client, secretariat, head,
                                                                      open_cycle):  # fmt: skip
    from django.utils import translation

    with translation.override("en"):  # written while English was active (a request, a job)
        _submit(_report("UTB-01"), head)
        cycles.report_review(report=_report("UTB-01"), user=secretariat, approve=False,
                             reviewer_light="green", comment="Say more.")  # fmt: skip
    assert set(AuditEntry.objects.filter(area__key="UTB-01").values_list("after", flat=True)) >= {
        "submitted", "return: Say more."
    }  # fmt: skip
    client.force_login(secretariat)
    page = client.get("/audit/?area=UTB-01").content.decode()
    assert "<td>inskickad</td>" in page and "återskickad: Say more." in page
    assert ">submitted<" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/audit/"})
    page = client.get("/audit/?area=UTB-01").content.decode()
    assert "<td>submitted</td>" in page and "returned: Say more." in page
