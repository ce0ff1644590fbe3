"""The follow-up's writes outside the cycle's own steps (those are in ``followup.cycles``):
status updates, comments, goal assessments and indicators, PDF requests, and a
revision of the plan as the follow-up needs it done.

Each validates, refuses with a message for the user, and leaves the database as
it was when it refuses. Permission is the caller's business
(``followup.permissions``).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.excel import Message
from areas.models import ActionPlan, Department, DevelopmentArea, PlanImport, ProgrammeGoal
from areas.revisions import ChangeSet, RevisionError, revision_apply

from .cycle_selectors import PdfReadership
from .data_generation import dated_generation
from .models import (
    AreaComment,
    AuditEntry,
    FollowUpCycle,
    FollowUpReport,
    GoalAssessment,
    IndicatorValue,
    ReportState,
    ReportVersion,
    StatusFields,
    StatusUpdate,
    StoredPdf,
)
from .workbook import rows_with_status


class StatusConflict(Exception):
    """Someone else saved a status update after the form was opened."""

    message = _("Someone else saved a status update for this area after you opened the form.")

    def __init__(self, latest: StatusUpdate | None) -> None:
        super().__init__(str(self.message))
        self.latest = latest


class FollowUpError(Exception):
    """A refused change; ``message`` is for the user, in their language."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class StatusLocked(Exception):
    """The area's report in the open cycle has been handed in; until the cycle closes its
    status is that report's, and changes go through the secretariat."""

    def __init__(self, report: FollowUpReport) -> None:
        self.report = report
        self.message = _(
            "Your report for %(cycle)s has been handed in, so the status of this area in this "
            "cycle is the report's. If something has changed, ask the secretariat to return "
            "the report to you."
        ) % {"cycle": report.cycle.name}
        super().__init__(str(self.message))


def latest_status_update(area: DevelopmentArea) -> StatusUpdate | None:
    return (
        StatusUpdate.objects.filter(area=area, sequence=area.status_version)
        .select_related("author")
        .first()
    )


def open_report_of(area: DevelopmentArea, *, lock: bool = False) -> FollowUpReport | None:
    """The area's report in the open cycle, if there is one (locked for the transaction)."""
    reports = FollowUpReport.objects.filter(
        area=area, cycle__state=FollowUpCycle.State.OPEN
    ).select_related("cycle")
    if lock:
        reports = reports.select_for_update(of=("self",))
    return reports.first()


def report_version_record(
    report: FollowUpReport, user: AbstractBaseUser, *, at=None
) -> ReportVersion:
    """Keep the report as this save leaves it, numbered 1, 2, 3, ... per report."""
    version = ReportVersion(
        report=report,
        number=report.versions.count() + 1,
        saved_at=at or timezone.now(),
        saved_by=user,
        state=report.state,
        risks=[
            {
                "aspect": str(risk.aspect),
                "description": risk.description,
                "likelihood": risk.likelihood,
                "consequence": risk.consequence,
                "mitigation": risk.mitigation,
                "owner": risk.owner,
                "shared_with_unions": risk.shared_with_unions,
            }
            for risk in report.risks.select_related("aspect")
        ],
        benefits=[
            {"effect": b.effect, "outcome": b.get_outcome_display(), "evidence": b.evidence}
            for b in report.benefits.all()
        ],
    )
    version.copy_status_from(report)
    version.save()
    return version


def audit(
    kind: str,
    *,
    user: AbstractBaseUser | None,
    subject: str = "",
    cycle: FollowUpCycle | None = None,
    area: DevelopmentArea | None = None,
    field: str = "",
    before: str = "",
    after: str = "",
    at=None,
) -> AuditEntry:
    """Record one change in the audit trail."""
    return AuditEntry.objects.create(
        kind=kind,
        user=user,
        subject=subject[:300],
        cycle=cycle,
        area=area,
        field=field,
        before=before,
        after=after,
        at=at or timezone.now(),
    )


def status_update_create(
    *,
    area: DevelopmentArea,
    author: AbstractBaseUser,
    seen_version: int,
    status: str,
    traffic_light: str,
    traffic_light_reason: str = "",
    progress: str = "",
    next_steps: str = "",
    revised_end_text: str = "",
) -> StatusUpdate:
    """Append a status update to ``area``, unless someone else got there first.

    ``seen_version`` is the area's ``status_version`` when the author opened the
    form. The version is bumped in the same UPDATE that checks it, so of two
    concurrent saves exactly one succeeds, on SQLite and PostgreSQL alike; the
    other raises :class:`StatusConflict` carrying the update that won.

    While a cycle is open, the update is also the area's report in it: the report
    takes its status fields and becomes a draft (one thing to fill in per period).
    When that report has been handed in, the update is refused (:class:`StatusLocked`).
    """
    update = StatusUpdate(
        area=area,
        sequence=seen_version + 1,
        author=author,
        status=status,
        traffic_light=traffic_light,
        traffic_light_reason=traffic_light_reason,
        progress=progress,
        next_steps=next_steps,
        revised_end_text=revised_end_text,
    )
    update.read_revised_end()
    # Field values (choices, lengths) are checked here; the database itself
    # enforces the constraints (reason for amber/red, unique sequence).
    update.clean_fields(exclude=["area", "author"])
    with transaction.atomic():
        bumped = DevelopmentArea.objects.filter(pk=area.pk, status_version=seen_version).update(
            status_version=F("status_version") + 1
        )
        if not bumped:
            area.refresh_from_db(fields=["status_version"])
            raise StatusConflict(latest_status_update(area))
        report = open_report_of(area, lock=True)
        if report is not None and not report.is_editable:
            raise StatusLocked(report)
        update.save()
        if report is not None:
            _report_takes_status(report, update, author)
    area.status_version = seen_version + 1
    return update


def _report_takes_status(report: FollowUpReport, update: StatusUpdate, user) -> None:
    report.copy_status_from(update)
    report.state = ReportState.DRAFT
    report.stated_at = update.created_at
    report.version += 1
    report.save(update_fields=[*StatusFields.ALL, "state", "stated_at", "version"])
    report_version_record(report, user, at=update.created_at)
    audit(
        AuditEntry.Kind.REPORT_SAVED,
        user=user,
        cycle=report.cycle,
        area=report.area,
        subject=f"{report.area.key} {report.area.title}",
        after=_("status update, %(status)s, %(light)s")
        % {"status": update.get_status_display(), "light": update.get_traffic_light_display()},
        at=update.created_at,
    )


def status_update_append(
    *, area: DevelopmentArea, author: AbstractBaseUser, fields: StatusFields, at=None
) -> StatusUpdate | None:
    """Within a report's save: append what the report now says as a status update, unless the
    latest update already says it (or the report states no status and light yet)."""
    if not (fields.status and fields.traffic_light):
        return None
    latest = latest_status_update(area)
    if latest is not None and all(
        getattr(latest, name) == getattr(fields, name) for name in StatusFields.WRITTEN
    ):
        return None
    DevelopmentArea.objects.filter(pk=area.pk).update(status_version=F("status_version") + 1)
    area.refresh_from_db(fields=["status_version"])
    update = StatusUpdate(
        area=area, sequence=area.status_version, author=author, created_at=at or timezone.now()
    )
    update.copy_status_from(fields)
    update.save()
    return update


def comment_create(*, area: DevelopmentArea, author: AbstractBaseUser, text: str) -> AreaComment:
    comment = AreaComment(area=area, author=author, text=text)
    comment.clean_fields(exclude=["area", "author"])
    comment.save()
    return comment


# -- goals and indicators -----------------------------------------------------------


def _refuse_if_frozen(cycle: FollowUpCycle) -> None:
    if cycle.is_frozen:
        raise FollowUpError(_("The cycle is closed; its goals and indicators are frozen."))


@transaction.atomic
def goal_assessments_save(
    *,
    cycle: FollowUpCycle,
    assessments: dict[ProgrammeGoal, str],
    user: AbstractBaseUser | None = None,
) -> None:
    """Set each goal's assessment in the cycle; an empty text removes it. Each change is kept
    in the audit trail with the text it replaced."""
    _refuse_if_frozen(cycle)
    now = timezone.now()
    current = {a.goal_id: a for a in cycle.goal_assessments.select_for_update()}
    for goal, text in assessments.items():
        before = current.get(goal.pk)
        if (before.assessment if before else "") == text:
            continue
        if text:
            GoalAssessment.objects.update_or_create(
                cycle=cycle,
                goal=goal,
                defaults={"assessment": text, "updated_at": now, "updated_by": user},
            )
        else:
            GoalAssessment.objects.filter(cycle=cycle, goal=goal).delete()
        audit(
            AuditEntry.Kind.GOAL_ASSESSED,
            user=user,
            cycle=cycle,
            subject=goal.title,
            before=before.assessment if before else "",
            after=text,
            at=now,
        )


@transaction.atomic
def indicator_value_save(
    *,
    cycle: FollowUpCycle,
    name: str,
    department: Department,
    value: Decimal,
    respondents: int,
    user: AbstractBaseUser | None = None,
) -> IndicatorValue:
    """Record an indicator's value for a department in the cycle (replacing an earlier one,
    which the audit trail keeps)."""
    _refuse_if_frozen(cycle)
    before = IndicatorValue.objects.filter(cycle=cycle, name=name, department=department).first()
    now = timezone.now()
    indicator, _created = IndicatorValue.objects.update_or_create(
        cycle=cycle,
        name=name,
        department=department,
        defaults={
            "value": value,
            "respondents": respondents,
            "updated_at": now,
            "updated_by": user,
        },
    )
    audit(
        AuditEntry.Kind.INDICATOR,
        user=user,
        cycle=cycle,
        subject=f"{name}, {department.code}",
        before=f"{before.value} ({before.respondents})" if before else "",
        after=f"{value} ({respondents})",
        at=now,
    )
    return indicator


@transaction.atomic
def indicator_values_save(
    *,
    cycle: FollowUpCycle,
    name: str,
    values: dict[Department, tuple[Decimal, int] | None],
    user: AbstractBaseUser | None = None,
) -> int:
    """Set one indicator's values in the cycle for several departments at once: a pair
    (value, respondents) sets a department's value, ``None`` removes it. Each change is kept
    in the audit trail with what it replaced; returns how many values changed."""
    _refuse_if_frozen(cycle)
    now = timezone.now()
    current = {
        v.department_id: v
        for v in IndicatorValue.objects.select_for_update().filter(cycle=cycle, name=name)
    }
    changed = 0
    for department, pair in values.items():
        before = current.get(department.pk)
        if pair is None and before is None:
            continue
        if pair is not None and before and (before.value, before.respondents) == pair:
            continue
        if pair is None:
            before.delete()
        else:
            IndicatorValue.objects.update_or_create(
                cycle=cycle,
                name=name,
                department=department,
                defaults={
                    "value": pair[0],
                    "respondents": pair[1],
                    "updated_at": now,
                    "updated_by": user,
                },
            )
        audit(
            AuditEntry.Kind.INDICATOR,
            user=user,
            cycle=cycle,
            subject=f"{name}, {department.code}",
            before=f"{before.value} ({before.respondents})" if before else "",
            after=f"{pair[0]} ({pair[1]})" if pair else "",
            at=now,
        )
        changed += 1
    return changed


# -- PDFs ----------------------------------------------------------------------------


PDF_SCOPES = {
    "programme": _("the whole programme"),
    "support_area": _("support area"),
    "department": _("department"),
    "area": _("development area"),
}


# How long a requested PDF may be "being made" before asking again makes it anew.
PDF_PENDING_PATIENCE = timedelta(minutes=10)


def pdf_request(
    *,
    cycle: FollowUpCycle,
    scope: str,
    code: str,
    language: str,
    user: AbstractBaseUser,
    readership: PdfReadership,
    regenerate: bool = False,
) -> StoredPdf:
    """Ask for a report PDF as ``readership`` says the user may read it (what the user may
    read is the caller's question, ``cycle_selectors.pdf_readership``): rendered in the
    background and kept, shared by everyone who may read the same; a frozen cycle's stored
    PDF is served again unless ``regenerate``. Each request is kept in the audit trail.
    Returns the stored PDF to follow."""
    from .tasks import render_stored_pdf  # the task imports the renderer, which is heavy

    with transaction.atomic():
        stored, _created = StoredPdf.objects.select_for_update().get_or_create(
            cycle=cycle,
            scope=scope,
            code=code,
            language=language,
            readers=readership.key,
            defaults={"requested_by": user},
        )
        # Served again while what it was made from is unchanged (a frozen cycle's always);
        # one being made is not asked for twice (unless it has waited for over ten minutes,
        # when its worker is likely gone).
        done = stored.state == StoredPdf.State.DONE and (
            cycle.is_frozen or stored.made_from == dated_generation()
        )
        being_made = (
            not _created
            and stored.state == StoredPdf.State.PENDING
            and stored.requested_at > timezone.now() - PDF_PENDING_PATIENCE
        )
        reused = (done or being_made) and not regenerate
        audit(
            AuditEntry.Kind.PDF_MADE,
            user=user,
            cycle=cycle,
            subject=cycle.name,
            after=" ".join(
                part
                for part in (
                    str(PDF_SCOPES.get(scope, scope)),
                    code,
                    f"({language})",
                    str(_("the stored copy")) if reused else "",
                )  # fmt: skip
                if part
            ),
        )
        if reused:
            return stored
        stored.state = StoredPdf.State.PENDING
        stored.content, stored.sha256, stored.error = b"", "", ""
        stored.requested_by, stored.requested_at, stored.finished_at = user, timezone.now(), None
        stored.text_of = sorted(readership.reports)
        stored.cycle_text = readership.cycle_text
        stored.save()
    render_stored_pdf.enqueue(stored.pk)
    return stored


# -- a revision of the plan ---------------------------------------------------------


def cycle_blocking_revision(plan: ActionPlan | None) -> FollowUpCycle | None:
    """The plan's open follow-up cycle, if any: no revised plan is applied while it is open."""
    return FollowUpCycle.objects.filter(plan=plan, state=FollowUpCycle.State.OPEN).first()


def revision_blocked_message(cycle: FollowUpCycle) -> str:
    return _(
        "The follow-up cycle “%(cycle)s” is open. Close it before applying a revised "
        "plan, so that no report changes under the people writing it."
    ) % {"cycle": cycle.name}


@transaction.atomic
def plan_revise(
    *,
    plan_import: PlanImport | None = None,
    records: list[dict],
    read_errors: list[Message],
    user: AbstractBaseUser | None,
    revision: str,
    registration_number: str,
    document_date: date | None = None,
    decision_date: date | None = None,
    decided_by: str = "",
    expected_digest: str | None = None,
) -> tuple[ActionPlan, ChangeSet]:
    """Apply a revised plan (``areas.revisions.revision_apply``) as the follow-up needs it:
    never while a cycle is open (no report may change under its writer), the superseded
    revision keeps each area's status with its snapshot, and the cycles follow the plan
    to its new revision. ``plan_import``, if given, is marked as applied."""
    current = ActionPlan.objects.select_for_update().filter(is_current=True).first()
    open_cycle = cycle_blocking_revision(current)
    if open_cycle is not None:
        raise RevisionError(revision_blocked_message(open_cycle))
    new, change_set = revision_apply(
        records=records,
        read_errors=read_errors,
        user=user,
        revision=revision,
        registration_number=registration_number,
        document_date=document_date,
        decision_date=decision_date,
        decided_by=decided_by,
        expected_digest=expected_digest,
        describe_rows=lambda areas: rows_with_status(areas, timezone.localdate()),
    )
    FollowUpCycle.objects.filter(plan=new.previous).update(plan=new)
    if plan_import is not None:
        plan_import.applied_as = new
        plan_import.save(update_fields=["applied_as"])
    return new, change_set
