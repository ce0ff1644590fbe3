"""The follow-up cycle's services: open, report, review, remind, close, freeze, publish."""

import smtplib
from datetime import date
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from areas.models import ActionPlan, DevelopmentArea, ExternalDependency, RiskAspect
from followup import cycles
from followup.cycle_selectors import changes_since_previous
from followup.models import (
    Benefit,
    FollowUpCycle,
    FollowUpReport,
    ReminderLog,
    Risk,
)
from followup.selectors import held_up_by
from followup.services import status_update_create


def _cycle(year=2025, *, open_it=True, deadline=date(2026, 3, 31)) -> FollowUpCycle:
    plan = ActionPlan.objects.get()
    cycle = cycles.cycle_create(plan=plan, year=year, name=f"Uppföljning {year}",
                                opens_on=date(2026, 1, 15), deadline=deadline)  # fmt: skip
    if open_it:
        cycles.cycle_open(cycle=cycle)
        cycle.refresh_from_db()
    return cycle


@pytest.fixture(autouse=True)
def english():
    """The services' messages in English, so the tests read them as written in the code."""
    with translation.override("en"):
        yield


def _report(cycle, key="UTB-01") -> FollowUpReport:
    return FollowUpReport.objects.select_related("cycle", "area").get(cycle=cycle, area__key=key)


def _risk(**kw) -> cycles.RiskData:
    data = {"aspect": RiskAspect.objects.get(code="internal"), "description": "Ladok is late.",
            "likelihood": 3, "consequence": 4}  # fmt: skip
    return cycles.RiskData(**(data | kw))


FIELDS = {"status": "ongoing", "traffic_light": "green", "traffic_light_reason": "",
          "progress": "Going well.", "next_steps": "Pilot.", "revised_end_text": ""}  # fmt: skip


def _save(report, user, *, submit=False, fields=None, risks=(), benefits=()):
    return cycles.report_save(report=report, user=user, seen_version=report.version,
                              fields=fields or FIELDS, risks=list(risks), benefits=list(benefits),
                              submit=submit)  # fmt: skip


# -- creating and opening --------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_cycle_for_the_same_year_is_refused(kth_plan):
    _cycle(open_it=False)
    with pytest.raises(cycles.CycleError, match="already a follow-up cycle for 2025"):
        _cycle(open_it=False)
    assert FollowUpCycle.objects.count() == 1


@pytest.mark.django_db
def test_a_deadline_before_the_opening_is_refused(kth_plan):
    with pytest.raises(cycles.CycleError):
        _cycle(open_it=False, deadline=date(2025, 1, 1))
    assert not FollowUpCycle.objects.exists()


@pytest.mark.django_db
def test_opening_creates_one_prefilled_report_per_active_area(secretariat):
    area = DevelopmentArea.objects.get(key="UTB-01")
    status_update_create(area=area, author=secretariat, seen_version=0, status="ongoing",
                         traffic_light="amber", traffic_light_reason="Ladok.", next_steps="Pilot.")  # fmt: skip
    cancelled = DevelopmentArea.objects.get(key="UTB-02")
    status_update_create(area=cancelled, author=secretariat, seen_version=0, status="cancelled",
                         traffic_light="green")  # fmt: skip
    cycle = _cycle()
    assert cycle.state == "open" and cycle.opened_at is not None
    keys = set(cycle.reports.values_list("area__key", flat=True))
    assert len(keys) == 72 - 3 - 1  # not the upcoming, not the cancelled
    assert {"UTB-16", "UTB-02"}.isdisjoint(keys)
    report = _report(cycle)
    assert (report.state, report.status, report.traffic_light) == (
        "not_started",
        "ongoing",
        "amber",
    )
    assert (report.traffic_light_reason, report.next_steps) == ("Ladok.", "Pilot.")


@pytest.mark.django_db
def test_opening_twice_or_alongside_another_open_cycle_is_refused(kth_plan):
    cycle = _cycle()
    with pytest.raises(cycles.CycleError, match="Only a draft"):
        cycles.cycle_open(cycle=cycle)
    other = _cycle(2026, open_it=False)
    with pytest.raises(cycles.CycleError, match="Another cycle is open"):
        cycles.cycle_open(cycle=other)
    assert other.reports.count() == 0


@pytest.mark.django_db
def test_risks_carry_over_and_finished_areas_get_their_desired_effects(head, secretariat):
    first = _cycle(2024)
    _save(_report(first), head, risks=[_risk()])
    area = DevelopmentArea.objects.get(key="UTB-05")
    status_update_create(area=area, author=secretariat, seen_version=0, status="finished",
                         traffic_light="green")  # fmt: skip
    cycles.cycle_close(cycle=first)
    second = _cycle(2025)
    assert list(_report(second).risks.values_list("description", flat=True)) == ["Ladok is late."]
    effects = list(_report(second, "UTB-05").benefits.values_list("effect", flat=True))
    assert effects == [
        "Mer transparent process ökar effektiviteten",
        "Stärkt rättssäkerhet och lagefterlevnad",
        "Mer likvärdighet ger ökad möjlighet till effektivare administrativt stöd",
    ]


# -- reports ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_head_saves_a_draft_then_submits(head):
    cycle = _cycle()
    report = _save(_report(cycle), head, risks=[_risk()])
    assert report.state == "draft" and report.risks.count() == 1
    report = _save(_report(cycle), head, submit=True, risks=[_risk(likelihood=1)])
    assert report.state == "submitted" and report.submitted_by == head
    assert list(Risk.objects.values_list("likelihood", flat=True)) == [1]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (FIELDS | {"status": ""}, "To submit, fill in: status"),
        (FIELDS | {"traffic_light": ""}, "To submit, fill in: traffic light"),
        (FIELDS | {"traffic_light": "red"}, "Say why the traffic light is amber or red."),
    ],
)
def test_submitting_without_what_is_required_is_refused(head, fields, message):
    cycle = _cycle()
    with pytest.raises(cycles.CycleError, match=message):
        _save(_report(cycle), head, submit=True, fields=fields)
    report = _report(cycle)
    assert (report.state, report.version, report.progress) == ("not_started", 0, "")


@pytest.mark.django_db
def test_a_finished_area_needs_every_benefit_marked(head):
    cycle = _cycle()
    report = _report(cycle)
    Benefit.objects.create(report=report, effect="Likvärdig hantering")
    finished = FIELDS | {"status": "finished"}
    with pytest.raises(cycles.CycleError, match="mark every desired effect"):
        _save(report, head, submit=True, fields=finished,
              benefits=[cycles.BenefitData(report.benefits.get().pk, "", "")])  # fmt: skip
    row = report.benefits.get()
    _save(_report(cycle), head, submit=True, fields=finished,
          benefits=[cycles.BenefitData(row.pk, "achieved", "Survey")])  # fmt: skip
    assert report.benefits.get().outcome == "achieved"


@pytest.mark.django_db
def test_concurrent_report_saves_lose_nothing(head, secretariat):
    cycle = _cycle()
    stale = _report(cycle)
    _save(_report(cycle), secretariat, fields=FIELDS | {"progress": "first"})
    with pytest.raises(cycles.CycleError, match="Someone else saved"):
        _save(stale, head, fields=FIELDS | {"progress": "second"})
    assert _report(cycle).progress == "first"


@pytest.mark.django_db
def test_a_submitted_report_cannot_be_changed(head):
    cycle = _cycle()
    _save(_report(cycle), head, submit=True)
    with pytest.raises(cycles.CycleError, match="submitted"):
        _save(_report(cycle), head, fields=FIELDS | {"progress": "late edit"})
    assert _report(cycle).progress == "Going well."


# -- review ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_review_approves_or_returns_with_a_comment(head, secretariat):
    cycle = _cycle()
    _save(_report(cycle), head, submit=True)
    _save(_report(cycle, "UTB-02"), head, submit=True)
    approved = cycles.report_review(report=_report(cycle), user=secretariat, approve=True,
                                    reviewer_light="green")  # fmt: skip
    assert (approved.state, approved.reviewer_light, approved.reviewed_by) == (
        "approved",
        "green",
        secretariat,
    )
    returned = cycles.report_review(report=_report(cycle, "UTB-02"), user=secretariat,
                                    approve=False, reviewer_light="green",
                                    comment="Describe the risks.")  # fmt: skip
    assert (returned.state, returned.review_comment) == ("returned", "Describe the risks.")
    # A returned report goes back to the head, who may edit and submit again.
    again = _save(_report(cycle, "UTB-02"), head, submit=True)
    assert again.state == "submitted"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"approve": True, "reviewer_light": "red"}, "differs from the owner"),
        ({"approve": False, "reviewer_light": "green"}, "what should be changed"),
        ({"approve": True, "reviewer_light": "purple"}, "reviewer's traffic light"),
    ],
)
def test_bad_reviews_are_refused(head, secretariat, kwargs, message):
    cycle = _cycle()
    _save(_report(cycle), head, submit=True)
    with pytest.raises(cycles.CycleError, match=message):
        cycles.report_review(report=_report(cycle), user=secretariat, **kwargs)
    assert _report(cycle).state == "submitted"


@pytest.mark.django_db
def test_only_submitted_reports_are_reviewed(secretariat):
    cycle = _cycle()
    with pytest.raises(cycles.CycleError, match="Only a submitted"):
        cycles.report_review(
            report=_report(cycle), user=secretariat, approve=True, reviewer_light="green"
        )
    assert _report(cycle).state == "not_started"


# -- reminders -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "step"),
    [(date(2026, 3, 16), None), (date(2026, 3, 17), 14), (date(2026, 3, 28), 3),
     (date(2026, 3, 31), 3), (date(2026, 4, 1), None)],
)  # fmt: skip
def test_the_due_step_follows_the_deadline(kth_plan, today, step):
    assert cycles.due_step(_cycle(), today) == step


@pytest.mark.django_db
def test_reminders_go_out_once_per_step_to_heads_with_unsubmitted_reports(head, other_head):
    cycle = _cycle()
    for report in FollowUpReport.objects.filter(
        cycle=cycle, area__responsible_department__code="PD"
    ):
        _save(report, other_head, submit=True)
    result = cycles.reminders_send(cycle=cycle, today=date(2026, 3, 17))
    assert (result.step, result.sent) == (14, ["head"])  # PD's head has submitted everything
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["head@example.org"]
    assert "UTB-01" in mail.outbox[0].body and "Uppföljning 2025" in mail.outbox[0].subject
    log = ReminderLog.objects.get()
    assert (log.days_before, log.recipient, log.reports.count()) == (
        14,
        head,
        15,
    )  # UTB, not upcoming
    again = cycles.reminders_send(cycle=cycle, today=date(2026, 3, 18))
    assert (again.sent, again.already_sent, len(mail.outbox)) == ([], 1, 1)
    later = cycles.reminders_send(cycle=cycle, today=date(2026, 3, 29))
    assert (later.step, later.sent, len(mail.outbox)) == (3, ["head"], 2)


@pytest.mark.django_db
def test_a_mail_server_that_is_down_logs_nothing_and_is_retried(head):
    cycle = _cycle()
    with mock.patch("followup.cycles.send_mail", side_effect=smtplib.SMTPConnectError(421, "down")):
        result = cycles.reminders_send(cycle=cycle, today=date(2026, 3, 17))
    assert result.failed == ["head"] and not ReminderLog.objects.exists()
    retry = cycles.reminders_send(cycle=cycle, today=date(2026, 3, 18))
    assert retry.sent == ["head"] and ReminderLog.objects.count() == 1


@pytest.mark.django_db
def test_send_reminders_command_is_safe_to_run_daily(head, capsys, monkeypatch):
    cycle = _cycle()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: date(2026, 3, 20))
    call_command("send_reminders")
    assert "14 days before: sent 1" in capsys.readouterr().out
    call_command("send_reminders")
    assert "sent 0, already sent 1" in capsys.readouterr().out
    assert len(mail.outbox) == 1 and cycle.reminders.count() == 1


# -- close, freeze, publish ------------------------------------------------------------


@pytest.mark.django_db
def test_a_closed_cycle_keeps_its_values_after_the_plan_changes(head):
    cycle = _cycle()
    _save(_report(cycle), head, submit=True, risks=[_risk()])
    cycles.cycle_close(cycle=cycle)
    area = DevelopmentArea.objects.get(key="UTB-01")
    area.title = "A renamed area"
    area.save()
    report = _report(cycle)
    assert report.area_title == "Inresande utbytesstudenter"
    nxt = _cycle(2026)
    _save(_report(nxt), head, risks=[_risk(description="A new risk.")])
    assert list(report.risks.values_list("description", flat=True)) == ["Ladok is late."]
    with pytest.raises(cycles.CycleError, match="not open"):
        _save(_report(cycle), head, fields=FIELDS | {"progress": "edit after close"})
    assert _report(cycle).progress == "Going well."


@pytest.mark.django_db
def test_close_then_publish_in_that_order_only(kth_plan):
    cycle = _cycle(open_it=False)
    with pytest.raises(cycles.CycleError):
        cycles.cycle_close(cycle=cycle)
    with pytest.raises(cycles.CycleError):
        cycles.cycle_publish(cycle=cycle)
    cycles.cycle_open(cycle=cycle)
    cycles.cycle_close(cycle=cycle)
    cycles.cycle_publish(cycle=cycle)
    assert FollowUpCycle.objects.get().state == "published"


# -- what changed, what slips ----------------------------------------------------------


@pytest.mark.django_db
def test_what_changed_since_the_previous_cycle(head):
    old = _cycle(2024)
    _save(_report(old), head, risks=[_risk(), _risk(description="Staff turnover.")])
    cycles.cycle_close(cycle=old)
    new = _cycle(2025)
    _save(_report(new), head, fields=FIELDS | {"status": "finished", "traffic_light": "green"},
          risks=[_risk(), _risk(description="Budget cut.")])  # fmt: skip
    change = next(c for c in changes_since_previous(new) if c.key == "UTB-01")
    assert change.status == ("ongoing", "finished")
    assert change.new_risks == ["Budget cut."] and change.closed_risks == ["Staff turnover."]
    assert change.finished


@pytest.mark.django_db
def test_a_slipping_dependency_warns_every_area_downstream(kth_plan):
    plan = ActionPlan.objects.get()
    assert held_up_by(plan) == {}
    portfolio = ExternalDependency.objects.get(code="IT-PORTFOLIO")
    portfolio.state = "blocked"
    portfolio.save()
    held = held_up_by(plan)
    keys = set(DevelopmentArea.objects.filter(pk__in=held).values_list("key", flat=True))
    assert {"UTB-01", "FOI-10"} <= keys  # directly
    assert {"LED-01", "LED-03", "LED-04"} <= keys  # through FOI-10 (data office)
    assert "HR-01" not in keys
    led = DevelopmentArea.objects.get(key="LED-01")
    assert [d.code for d in held[led.pk]] == ["IT-PORTFOLIO"]
