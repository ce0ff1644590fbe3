"""The yearly follow-up cycle: create, open, report, review, remind, close, publish.

Each function is a state change that validates, raises ``CycleError`` with a
translatable message when it must refuse, and leaves the database as it was
when it does.
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from areas.models import ActionPlan, DevelopmentArea, RiskAspect

from .models import (
    EDITABLE_REPORT_STATES,
    LIGHTS_WITH_REASON,
    Benefit,
    FollowUpCycle,
    FollowUpReport,
    ReminderLog,
    ReportState,
    Risk,
    Status,
    StatusFields,
    StatusUpdate,
    TrafficLight,
)

logger = logging.getLogger(__name__)


class CycleError(Exception):
    """A refused change; ``message`` is for the user, in their language."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


# -- cycles ----------------------------------------------------------------------


def cycle_create(
    *,
    plan: ActionPlan,
    year: int,
    name: str,
    opens_on: date,
    deadline: date,
    reminder_days: str = "14,3",
    is_demo: bool = False,
) -> FollowUpCycle:
    if opens_on > deadline:
        raise CycleError(_("The deadline must not be before the opening date."))
    try:
        with transaction.atomic():
            return FollowUpCycle.objects.create(
                plan=plan,
                year=year,
                name=name,
                opens_on=opens_on,
                deadline=deadline,
                reminder_days=reminder_days,
                is_demo=is_demo,
            )
    except IntegrityError:
        raise CycleError(
            _("There is already a follow-up cycle for %(year)s.") % {"year": year}
        ) from None


def _benefit_rows(area: DevelopmentArea) -> list[str]:
    """One row per desired effect: the verbatim cell, split where the plan breaks lines."""
    return [line.strip() for line in area.desired_effect.splitlines() if line.strip()] or (
        [area.title]
    )


@transaction.atomic
def cycle_open(*, cycle: FollowUpCycle, now=None) -> int:
    """Open a draft cycle: one report per active area, prefilled. Returns the number of reports.

    Active: decided (not upcoming), and neither cancelled nor reported finished in
    an earlier cycle's approved report. A report starts from the area's latest
    status update, else from its report of the previous cycle; risks carry over.
    """
    # The plan first: a revision of the plan waits for this, and this for a revision.
    ActionPlan.objects.select_for_update().filter(pk=cycle.plan_id).first()
    cycle = FollowUpCycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_draft:
        raise CycleError(_("Only a draft cycle can be opened."))
    if FollowUpCycle.objects.filter(plan=cycle.plan, state=FollowUpCycle.State.OPEN).exists():
        raise CycleError(_("Another cycle is open; close it first."))
    previous = (
        FollowUpCycle.objects.filter(plan=cycle.plan, year__lt=cycle.year).order_by("-year").first()
    )
    previous_reports = (
        {r.area_id: r for r in previous.reports.prefetch_related("risks")} if previous else {}
    )
    latest = {
        u.area_id: u for u in StatusUpdate.objects.latest_per_area().filter(area__plan=cycle.plan)
    }
    reports = []
    risks = []
    benefits = []
    for area in DevelopmentArea.objects.filter(plan=cycle.plan, upcoming=False):
        update, before = latest.get(area.pk), previous_reports.get(area.pk)
        if update and update.status == Status.CANCELLED:
            continue
        if before and before.state == ReportState.APPROVED and before.status == Status.FINISHED:
            continue
        report = FollowUpReport(cycle=cycle, area=area)
        if update is not None:
            report.copy_status_from(update)
            report.stated_at = update.created_at
        elif before is not None:
            report.copy_status_from(before)
            report.stated_at = before.stated_at
        reports.append(report)
    FollowUpReport.objects.bulk_create(reports)
    for report in reports:
        before = previous_reports.get(report.area_id)
        if before is not None:
            for risk in before.risks.all():
                risks.append(
                    Risk(
                        report=report,
                        aspect_id=risk.aspect_id,
                        description=risk.description,
                        likelihood=risk.likelihood,
                        consequence=risk.consequence,
                        mitigation=risk.mitigation,
                        owner=risk.owner,
                        shared_with_unions=risk.shared_with_unions,
                    )
                )
        if report.status == Status.FINISHED:
            benefits += [Benefit(report=report, effect=e) for e in _benefit_rows(report.area)]
    Risk.objects.bulk_create(risks)
    Benefit.objects.bulk_create(benefits)
    cycle.state = FollowUpCycle.State.OPEN
    cycle.opened_at = now or timezone.now()
    cycle.save(update_fields=["state", "opened_at"])
    return len(reports)


@transaction.atomic
def cycle_close(*, cycle: FollowUpCycle, now=None) -> None:
    """Close an open cycle and freeze every report with the area as it now reads."""
    cycle = FollowUpCycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_open:
        raise CycleError(_("Only an open cycle can be closed."))
    reports = list(cycle.reports.select_related("area__support_area", "area__group"))
    for report in reports:
        area = report.area
        report.frozen_area = {
            "key": area.key,
            "title": area.title,
            "support_area": f"{area.support_area.number} {area.support_area.name_sv}",
            "group": area.group.name if area.group else "",
            "planned_text": area.planned_text,
            "desired_effect": area.desired_effect,
        }
    FollowUpReport.objects.bulk_update(reports, ["frozen_area"])
    cycle.state = FollowUpCycle.State.CLOSED
    cycle.closed_at = now or timezone.now()
    cycle.save(update_fields=["state", "closed_at"])


@transaction.atomic
def cycle_publish(*, cycle: FollowUpCycle, now=None) -> None:
    updated = FollowUpCycle.objects.filter(pk=cycle.pk, state=FollowUpCycle.State.CLOSED).update(
        state=FollowUpCycle.State.PUBLISHED, published_at=now or timezone.now()
    )
    if not updated:
        raise CycleError(_("Only a closed cycle can be published."))
    cycle.refresh_from_db()


# -- reports ---------------------------------------------------------------------


@dataclass
class RiskData:
    aspect: RiskAspect
    description: str
    likelihood: int
    consequence: int
    mitigation: str = ""
    owner: str = ""
    shared_with_unions: bool = False


@dataclass
class BenefitData:
    pk: int
    outcome: str
    evidence: str


@transaction.atomic
def report_save(
    *,
    report: FollowUpReport,
    user: AbstractBaseUser,
    seen_version: int,
    fields: dict,
    risks: list[RiskData],
    benefits: list[BenefitData],
    submit: bool,
    now=None,
) -> FollowUpReport:
    """Save a report as a draft, or submit it; refused when the cycle or report is frozen.

    The version check works as for status updates: of two concurrent saves, the
    second is refused with a message and changes nothing.
    """
    if not report.cycle.is_open:
        raise CycleError(_("The cycle is not open; its reports can no longer be changed."))
    if not report.is_editable:
        raise CycleError(_("The report has been submitted and can no longer be changed."))
    if submit:
        missing = []
        if not fields.get("status"):
            missing.append(str(_("status")))
        if not fields.get("traffic_light"):
            missing.append(str(_("traffic light")))
        if missing:
            raise CycleError(_("To submit, fill in: %(fields)s.") % {"fields": ", ".join(missing)})
        if fields.get("status") == Status.FINISHED and any(not b.outcome for b in benefits):
            raise CycleError(_("To submit a finished area, mark every desired effect."))
    if fields.get("traffic_light") in LIGHTS_WITH_REASON and not fields.get("traffic_light_reason"):
        raise CycleError(_("Say why the traffic light is amber or red."))
    bumped = FollowUpReport.objects.filter(
        pk=report.pk, version=seen_version, state__in=EDITABLE_REPORT_STATES
    ).update(version=F("version") + 1)
    if not bumped:
        raise CycleError(
            _("Someone else saved this report after you opened it. Reload it to see their changes.")
        )
    for name in StatusFields.WRITTEN:
        setattr(report, name, fields.get(name, ""))
    report.read_revised_end()
    report.version = seen_version + 1
    report.stated_at = now or timezone.now()
    if submit:
        report.state = ReportState.SUBMITTED
        report.submitted_at = now or timezone.now()
        report.submitted_by = user
    else:
        report.state = ReportState.DRAFT
    report.save()
    report.risks.all().delete()
    Risk.objects.bulk_create([Risk(report=report, **vars(r)) for r in risks])
    by_pk = {b.pk: b for b in benefits}
    rows = list(report.benefits.all())
    for row in rows:
        if row.pk in by_pk:
            row.outcome, row.evidence = by_pk[row.pk].outcome, by_pk[row.pk].evidence
    Benefit.objects.bulk_update(rows, ["outcome", "evidence"])
    if report.status == Status.FINISHED and not rows:
        Benefit.objects.bulk_create(
            [Benefit(report=report, effect=e) for e in _benefit_rows(report.area)]
        )
    return report


@transaction.atomic
def report_review(
    *,
    report: FollowUpReport,
    user: AbstractBaseUser,
    approve: bool,
    reviewer_light: str,
    reviewer_reason: str = "",
    comment: str = "",
    now=None,
) -> FollowUpReport:
    """Approve a submitted report, or return it to its head with a comment."""
    if not report.cycle.is_open:
        raise CycleError(_("The cycle is not open; its reports can no longer be changed."))
    if not report.is_submitted:
        raise CycleError(_("Only a submitted report can be reviewed."))
    if reviewer_light not in TrafficLight.values:
        raise CycleError(_("Set the reviewer's traffic light."))
    if reviewer_light != report.traffic_light and not reviewer_reason.strip():
        raise CycleError(_("Say why your traffic light differs from the owner's."))
    if not approve and not comment.strip():
        raise CycleError(_("Say what should be changed when you return a report."))
    updated = FollowUpReport.objects.filter(pk=report.pk, state=ReportState.SUBMITTED).update(
        state=ReportState.APPROVED if approve else ReportState.RETURNED,
        reviewer_light=reviewer_light,
        reviewer_reason=reviewer_reason.strip(),
        review_comment=comment.strip(),
        reviewed_at=now or timezone.now(),
        reviewed_by=user,
        version=F("version") + 1,
    )
    if not updated:
        raise CycleError(_("Only a submitted report can be reviewed."))
    report.refresh_from_db()
    return report


# -- reminders -------------------------------------------------------------------


@dataclass
class ReminderResult:
    step: int | None = None
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    already_sent: int = 0


def due_step(cycle: FollowUpCycle, today: date) -> int | None:
    """The latest reminder step that has come; None before the first and after the deadline."""
    if not cycle.is_open or today > cycle.deadline:
        return None
    due = [d for d in cycle.reminder_offsets if (cycle.deadline - today).days <= d]
    return min(due) if due else None


def reminders_send(*, cycle: FollowUpCycle, today: date) -> ReminderResult:
    """E-mail each head with unsubmitted reports once for the step that has come.

    A reminder is logged only once its e-mail went out, so a failed send (the
    mail server down) is tried again on the next run; the unique log entry per
    cycle, step and recipient keeps it from ever being sent twice.
    """
    result = ReminderResult(step=due_step(cycle, today))
    if result.step is None:
        return result
    reports = (
        cycle.reports.editable()
        .select_related("area__responsible_department")
        .prefetch_related("area__responsible_department__heads")
    )
    by_head: dict = {}
    for report in reports:
        department = report.area.responsible_department
        for head in department.heads.all() if department else []:
            by_head.setdefault(head, []).append(report)
    done = set(
        ReminderLog.objects.filter(cycle=cycle, days_before=result.step).values_list(
            "recipient_id", flat=True
        )
    )
    for head, head_reports in sorted(by_head.items(), key=lambda item: item[0].pk):
        if head.pk in done:
            result.already_sent += 1
            continue
        if not head.email:
            result.failed.append(head.get_username())
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = str(_("Reminder: %(cycle)s, deadline %(deadline)s")) % {
                "cycle": cycle.name,
                "deadline": cycle.deadline.isoformat(),
            }
            body = render_to_string(
                "followup/reminder_email.txt",
                {"cycle": cycle, "head": head, "reports": head_reports, "step": result.step},
            )
        try:
            send_mail(subject, body, None, [head.email])
        except (smtplib.SMTPException, OSError):
            logger.exception("reminder to %s for %s failed; will retry", head.email, cycle)
            result.failed.append(head.get_username())
            continue
        log = ReminderLog.objects.create(cycle=cycle, days_before=result.step, recipient=head)
        log.reports.set(head_reports)
        result.sent.append(head.get_username())
    return result
