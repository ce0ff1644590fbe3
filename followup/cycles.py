"""The yearly follow-up cycle: create, open, report, review, remind, close, reopen, publish.

Each function is a state change that validates, raises ``CycleError`` with a
translatable message when it must refuse, leaves the database as it was when it
does, and records who did what in the audit trail (``AuditEntry``).
"""

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from areas.models import ActionPlan, Department, DevelopmentArea, ProgrammeGoal, RiskAspect

from .models import (
    EDITABLE_REPORT_STATES,
    LIGHTS_WITH_REASON,
    AuditEntry,
    Benefit,
    FollowUpCycle,
    FollowUpReport,
    IndicatorValue,
    Notification,
    ReminderLog,
    ReportState,
    Review,
    ReviewDecision,
    Risk,
    Status,
    StatusFields,
    StatusUpdate,
    TrafficLight,
)
from .records import freeze_area, freeze_plan
from .selectors import held_up_by
from .services import audit, report_version_record, status_update_append

logger = logging.getLogger(__name__)


class CycleError(Exception):
    """A refused change; ``message`` is for the user, in their language."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class OpensLater(CycleError):
    """The cycle's opening date has not come; opening it now needs the user's confirmation."""


def site_url(path: str) -> str:
    """An absolute address on this site (e-mails are read outside it)."""
    return settings.VSPLAN_SITE_URL.rstrip("/") + path


def _report_subject(report: FollowUpReport) -> str:
    return f"{report.area_key} {report.area_title}"[:300]


# -- cycles ----------------------------------------------------------------------


def cycle_create(
    *,
    plan: ActionPlan,
    year: int,
    name: str,
    opens_on: date,
    deadline: date,
    reminder_days: str = "14,3",
    user: AbstractBaseUser | None = None,
    is_demo: bool = False,
) -> FollowUpCycle:
    if opens_on > deadline:
        raise CycleError(_("The deadline must not be before the opening date."))
    try:
        with transaction.atomic():
            cycle = FollowUpCycle.objects.create(
                plan=plan,
                year=year,
                name=name,
                opens_on=opens_on,
                deadline=deadline,
                reminder_days=reminder_days,
                is_demo=is_demo,
            )
            audit(AuditEntry.Kind.CYCLE_CREATED, user=user, cycle=cycle, subject=name)
            return cycle
    except IntegrityError:
        raise CycleError(
            _("There is already a follow-up cycle for %(year)s.") % {"year": year}
        ) from None


@transaction.atomic
def cycle_delete(*, cycle: FollowUpCycle, user: AbstractBaseUser) -> None:
    """Delete a cycle created by mistake: only while it is a draft (it has no reports yet)."""
    cycle = FollowUpCycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_draft:
        raise CycleError(_("Only a draft cycle can be deleted; this one has reports."))
    audit(AuditEntry.Kind.CYCLE_DELETED, user=user, subject=cycle.name, before=cycle.name)
    cycle.delete()


def _benefit_rows(area: DevelopmentArea) -> list[str]:
    """One row per desired effect: the verbatim cell, split where the plan breaks lines."""
    return [line.strip() for line in area.desired_effect.splitlines() if line.strip()] or (
        [area.title]
    )


@transaction.atomic
def cycle_open(
    *,
    cycle: FollowUpCycle,
    user: AbstractBaseUser | None = None,
    today: date | None = None,
    before_its_date: bool = False,
    now=None,
) -> int:
    """Open a draft cycle: one report per active area, prefilled. Returns the number of reports.

    Active: decided (not upcoming), and neither cancelled nor reported finished in
    an earlier cycle's approved report. A report starts from the area's latest
    status update, else from its report of the previous cycle; risks carry over.
    Before its opening date it opens only when ``before_its_date`` says the user
    confirmed it (else OpensLater).
    """
    today = today or timezone.localdate()
    # The plan first: a revision of the plan waits for this, and this for a revision.
    ActionPlan.objects.select_for_update().filter(pk=cycle.plan_id).first()
    cycle = FollowUpCycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_draft:
        raise CycleError(_("Only a draft cycle can be opened."))
    if FollowUpCycle.objects.filter(plan=cycle.plan, state=FollowUpCycle.State.OPEN).exists():
        raise CycleError(_("Another cycle is open; close it first."))
    if today < cycle.opens_on and not before_its_date:
        raise OpensLater(
            _("%(name)s opens on %(date)s. Open it now anyway?")
            % {"name": cycle.name, "date": cycle.opens_on.isoformat()}
        )
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
    audit(
        AuditEntry.Kind.CYCLE_OPENED,
        user=user,
        cycle=cycle,
        subject=cycle.name,
        after=_("%(count)d reports") % {"count": len(reports)},
        at=cycle.opened_at,
    )
    return len(reports)


@transaction.atomic
def cycle_deadline_set(
    *, cycle: FollowUpCycle, deadline: date, user: AbstractBaseUser | None = None
) -> None:
    """Move a draft or open cycle's deadline (extend it, most often)."""
    cycle = FollowUpCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.is_frozen:
        raise CycleError(_("The cycle is closed; its deadline can no longer change."))
    if deadline < cycle.opens_on:
        raise CycleError(_("The deadline must not be before the opening date."))
    before = cycle.deadline
    cycle.deadline = deadline
    cycle.save(update_fields=["deadline"])
    audit(
        AuditEntry.Kind.CYCLE_DEADLINE,
        user=user,
        cycle=cycle,
        subject=cycle.name,
        field=str(_("deadline")),
        before=before.isoformat(),
        after=deadline.isoformat(),
    )


def department_heads() -> dict[str, list[str]]:
    """Each department's heads by name (the report names them beside the responsible
    department; a closed cycle keeps them as they were): two queries."""
    return {
        d.code: [
            u.get_full_name() or u.username
            for u in sorted(d.heads.all(), key=lambda u: (u.last_name, u.first_name, u.pk))
        ]
        for d in Department.objects.prefetch_related("heads").order_by("code")
    }


# The report's text (FollowUpCycle), in the order the report shows it.
REPORT_TEXT_FIELDS = ("report_summary", "report_assessment", "report_decisions")


@transaction.atomic
def cycle_report_text_set(
    *, cycle: FollowUpCycle, user: AbstractBaseUser | None, texts: dict[str, str]
) -> list[str]:
    """Write the report's text (summary, overall assessment, decisions asked for) of a
    cycle that is not yet closed; each changed part is recorded in the audit trail.
    Returns the names of the parts changed."""
    cycle = FollowUpCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.is_frozen:
        raise CycleError(_("The cycle is closed; its report's text can no longer change."))
    changed = []
    for name in REPORT_TEXT_FIELDS:
        before, after = getattr(cycle, name), texts.get(name, "").strip()
        if before == after:
            continue
        setattr(cycle, name, after)
        changed.append(name)
        audit(
            AuditEntry.Kind.REPORT_TEXT,
            user=user,
            cycle=cycle,
            subject=cycle.name,
            field=str(FollowUpCycle._meta.get_field(name).verbose_name),
            before=before,
            after=after,
        )
    if changed:
        cycle.save(update_fields=changed)
    return changed


@dataclass
class CloseConsequence:
    """What closing a cycle now would leave unsubmitted, per state."""

    not_started: int = 0
    draft: int = 0
    returned: int = 0
    submitted: int = 0  # handed in, waiting for review

    @property
    def unsubmitted(self) -> int:
        return self.not_started + self.draft + self.returned


def close_consequence(cycle: FollowUpCycle) -> CloseConsequence:
    """One query: the cycle's reports counted by state."""
    counts = dict(cycle.reports.values_list("state").annotate(n=Count("pk")))
    return CloseConsequence(
        not_started=counts.get(ReportState.NOT_STARTED, 0),
        draft=counts.get(ReportState.DRAFT, 0),
        returned=counts.get(ReportState.RETURNED, 0),
        submitted=counts.get(ReportState.SUBMITTED, 0),
    )


@transaction.atomic
def cycle_close(*, cycle: FollowUpCycle, user: AbstractBaseUser | None = None, now=None) -> None:
    """Close an open cycle and freeze it: every report with its area as it now reads, and
    the plan, its goals and the indicators, so the cycle's record never changes again."""
    cycle = FollowUpCycle.objects.select_for_update().select_related("plan").get(pk=cycle.pk)
    if not cycle.is_open:
        raise CycleError(_("Only an open cycle can be closed."))
    reports = list(
        cycle.reports.select_related(
            "area__support_area", "area__group", "area__responsible_department"
        ).prefetch_related(
            "area__participating_departments", "area__depends_on", "area__external_dependencies"
        )
    )
    held = held_up_by(cycle.plan)
    for report in reports:
        report.frozen_area = freeze_area(report.area, held.get(report.area_id, []))
    FollowUpReport.objects.bulk_update(reports, ["frozen_area"], batch_size=500)
    assessments = {a.goal_id: a.assessment for a in cycle.goal_assessments.all()}
    goals = [
        {
            "order": g.order,
            "title": g.title,
            "definition": g.definition,
            "follow_up": g.follow_up,
            "assessment": assessments.get(g.pk, ""),
        }
        for g in ProgrammeGoal.objects.all()
    ]
    indicators = [
        {
            "name": v.name,
            "department": v.department.code,
            "value": str(v.value),
            "respondents": v.respondents,
        }
        for v in IndicatorValue.objects.filter(cycle=cycle).select_related("department")
    ]
    cycle.frozen_plan = freeze_plan(cycle.plan, goals, indicators) | {
        "risk_aspects": {
            str(a.pk): {"name_sv": a.name_sv, "name_en": a.name_en, "order": a.order}
            for a in RiskAspect.objects.all()
        },
        "department_heads": department_heads(),
    }
    cycle.state = FollowUpCycle.State.CLOSED
    cycle.closed_at = now or timezone.now()
    cycle.save(update_fields=["state", "closed_at", "frozen_plan"])
    audit(
        AuditEntry.Kind.CYCLE_CLOSED, user=user, cycle=cycle, subject=cycle.name, at=cycle.closed_at
    )


@transaction.atomic
def cycle_reopen(*, cycle: FollowUpCycle, user: AbstractBaseUser | None, reason: str) -> None:
    """Open a closed, unpublished cycle again, for a reason that is recorded. It is frozen
    again, as it then reads, when it closes."""
    if not reason.strip():
        raise CycleError(_("Say why the cycle is opened again."))
    cycle = FollowUpCycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_closed:
        raise CycleError(_("Only a closed cycle that is not published can be opened again."))
    if FollowUpCycle.objects.filter(plan=cycle.plan, state=FollowUpCycle.State.OPEN).exists():
        raise CycleError(_("Another cycle is open; close it first."))
    revised_at = ActionPlan.objects.filter(pk=cycle.plan_id).values_list("created_at", flat=True)
    revised_at = revised_at.first()
    if revised_at and cycle.closed_at and revised_at > cycle.closed_at:
        raise CycleError(_("The plan has been revised since it closed; it can no longer reopen."))
    cycle.state = FollowUpCycle.State.OPEN
    cycle.closed_at = None
    cycle.save(update_fields=["state", "closed_at"])
    audit(
        AuditEntry.Kind.CYCLE_REOPENED,
        user=user,
        cycle=cycle,
        subject=cycle.name,
        after=reason.strip(),
    )


@transaction.atomic
def cycle_publish(*, cycle: FollowUpCycle, user: AbstractBaseUser | None = None, now=None) -> None:
    now = now or timezone.now()
    updated = FollowUpCycle.objects.filter(pk=cycle.pk, state=FollowUpCycle.State.CLOSED).update(
        state=FollowUpCycle.State.PUBLISHED, published_at=now
    )
    if not updated:
        raise CycleError(_("Only a closed cycle can be published."))
    cycle.refresh_from_db()
    audit(AuditEntry.Kind.CYCLE_PUBLISHED, user=user, cycle=cycle, subject=cycle.name, at=now)


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
    second is refused with a message and changes nothing. What the report says of
    the area's status is also appended as a status update (unless the latest one
    already says it): the report and the area's status never disagree. Every save
    is kept as a version.
    """
    now = now or timezone.now()
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
    report.stated_at = now
    if submit:
        report.state = ReportState.SUBMITTED
        report.submitted_at = now
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
    status_update_append(area=report.area, author=user, fields=report, at=now)
    report_version_record(report, user, at=now)
    audit(
        AuditEntry.Kind.REPORT_SUBMITTED if submit else AuditEntry.Kind.REPORT_SAVED,
        user=user,
        cycle=report.cycle,
        area=report.area,
        subject=_report_subject(report),
        after=report.state,  # a code, worded in the reader's language (audit_views)
        at=now,
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
    notify: bool = True,
) -> FollowUpReport:
    """Approve a submitted report, or return it to its head with a comment. Every review is
    kept, and (``notify``) the head is told by e-mail."""
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
    now = now or timezone.now()
    updated = FollowUpReport.objects.filter(pk=report.pk, state=ReportState.SUBMITTED).update(
        state=ReportState.APPROVED if approve else ReportState.RETURNED,
        reviewer_light=reviewer_light,
        reviewer_reason=reviewer_reason.strip(),
        review_comment=comment.strip(),
        reviewed_at=now,
        reviewed_by=user,
        version=F("version") + 1,
    )
    if not updated:
        raise CycleError(_("Only a submitted report can be reviewed."))
    review = Review.objects.create(
        report=report,
        reviewed_at=now,
        reviewer=user,
        decision=ReviewDecision.APPROVE if approve else ReviewDecision.RETURN,
        reviewer_light=reviewer_light,
        reviewer_reason=reviewer_reason.strip(),
        comment=comment.strip(),
    )
    report.refresh_from_db()
    audit(
        AuditEntry.Kind.REPORT_REVIEWED,
        user=user,
        cycle=report.cycle,
        area=report.area,
        subject=_report_subject(report),
        after=f"{review.decision}: {comment.strip()}".strip(": "),  # worded when read
        at=now,
    )
    if notify:
        _notify_review(report, review)
    return report


def _review_recipients(report: FollowUpReport) -> list[AbstractBaseUser]:
    """The heads of the area's responsible department, and whoever submitted the report."""
    department = report.area.responsible_department
    people = list(department.heads.all()) if department else []
    if report.submitted_by_id and report.submitted_by not in people:
        people.append(report.submitted_by)
    return [p for p in people if p.is_active and p.email]


def _notify_review(report: FollowUpReport, review: Review) -> None:
    """Queue an e-mail to the head about a review; it goes out once the review is saved."""
    link = site_url(reverse("followup:report_detail", args=[report.cycle.year, report.area_key]))
    with translation.override(settings.LANGUAGE_CODE):
        subject = (
            _("Returned: %(area)s, %(cycle)s")
            if review.is_return
            else _("Approved: %(area)s, %(cycle)s")
        ) % {"area": report.area_key, "cycle": report.cycle.name}
        notifications = [
            Notification(
                recipient=person,
                subject=str(subject),
                body=render_to_string(
                    "followup/review_email.txt",
                    {"person": person, "report": report, "review": review, "link": link},
                ),
            )
            for person in _review_recipients(report)
        ]
    Notification.objects.bulk_create(notifications)
    transaction.on_commit(notifications_send)


def notifications_send() -> tuple[int, int]:
    """Send every notification not yet sent; returns (sent, failed). A failure is kept and
    tried again next time (``manage.py send_reminders`` runs this too)."""
    sent = failed = 0
    for notification in Notification.objects.filter(sent_at__isnull=True).select_related(
        "recipient"
    ):
        try:
            send_mail(notification.subject, notification.body, None, [notification.recipient.email])
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("notification %s not sent (%s); will retry", notification.pk, error)
            Notification.objects.filter(pk=notification.pk).update(
                attempts=F("attempts") + 1, last_error=str(error)[:500]
            )
            failed += 1
            continue
        Notification.objects.filter(pk=notification.pk).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
        sent += 1
    return sent, failed


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


def _reports_by_head(cycle: FollowUpCycle) -> dict:
    """Each head with their unsubmitted reports of the cycle."""
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
    return by_head


def _send_reminder(cycle: FollowUpCycle, head, reports: list[FollowUpReport], step: int) -> None:
    """Raises smtplib.SMTPException or OSError when the mail server is away."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(_("Reminder: %(cycle)s, deadline %(deadline)s")) % {
            "cycle": cycle.name,
            "deadline": cycle.deadline.isoformat(),
        }
        body = render_to_string(
            "followup/reminder_email.txt",
            {
                "cycle": cycle,
                "head": head,
                "reports": [
                    (r, site_url(reverse("followup:report_detail", args=[cycle.year, r.area_key])))
                    for r in reports
                ],
                "step": step,
                "cycle_link": site_url(reverse("followup:cycle_detail", args=[cycle.year])),
            },
        )
    send_mail(subject, body, None, [head.email])


def reminders_send(*, cycle: FollowUpCycle, today: date) -> ReminderResult:
    """E-mail each head with unsubmitted reports once for the step that has come.

    A reminder is logged only once its e-mail went out, so a failed send (the
    mail server down) is tried again on the next run; the unique log entry per
    cycle, step and recipient keeps it from ever being sent twice.
    """
    result = ReminderResult(step=due_step(cycle, today))
    if result.step is None:
        return result
    done = set(
        ReminderLog.objects.filter(cycle=cycle, days_before=result.step).values_list(
            "recipient_id", flat=True
        )
    )
    for head, head_reports in sorted(_reports_by_head(cycle).items(), key=lambda i: i[0].pk):
        if head.pk in done:
            result.already_sent += 1
            continue
        if not head.email:
            result.failed.append(head.get_username())
            continue
        try:
            _send_reminder(cycle, head, head_reports, result.step)
        except (smtplib.SMTPException, OSError):
            logger.exception("reminder to %s for %s failed; will retry", head.email, cycle)
            result.failed.append(head.get_username())
            continue
        log = ReminderLog.objects.create(cycle=cycle, days_before=result.step, recipient=head)
        log.reports.set(head_reports)
        result.sent.append(head.get_username())
    return result


def reminder_send_one(
    *, cycle: FollowUpCycle, head: AbstractBaseUser, user: AbstractBaseUser | None, today: date
) -> int:
    """Remind one head now of their unsubmitted reports (from the secretariat's grid),
    whatever the reminder steps say; returns the number of reports named. Raises CycleError
    when there is nothing to remind of or the e-mail could not go out."""
    if not cycle.is_open:
        raise CycleError(_("Only an open cycle's reports can be reminded of."))
    reports = _reports_by_head(cycle).get(head, [])
    if not reports:
        raise CycleError(_("%(name)s has no unsubmitted report.") % {"name": head.get_full_name()})
    if not head.email:
        raise CycleError(_("%(name)s has no e-mail address.") % {"name": head.get_full_name()})
    try:
        _send_reminder(cycle, head, reports, cycle.days_left(today))
    except (smtplib.SMTPException, OSError):
        logger.exception("reminder to %s for %s failed", head.email, cycle)
        raise CycleError(_("The e-mail could not be sent; try again later.")) from None
    audit(
        AuditEntry.Kind.REMINDER,
        user=user,
        cycle=cycle,
        subject=head.get_full_name() or head.get_username(),
        after=", ".join(r.area_key for r in reports),
    )
    return len(reports)
