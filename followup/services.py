"""The follow-up's writes outside the cycle's own steps (those are in ``followup.cycles``):
status updates, comments, goal assessments and indicators, PDF requests, and a
revision of the plan as the follow-up needs it done.

Each validates, refuses with a message for the user, and leaves the database as
it was when it refuses. Permission is the caller's business
(``followup.permissions``).
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.excel import Message
from areas.models import ActionPlan, Department, DevelopmentArea, PlanImport, ProgrammeGoal
from areas.revisions import ChangeSet, RevisionError, revision_apply

from .models import (
    AreaComment,
    FollowUpCycle,
    GoalAssessment,
    IndicatorValue,
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


def latest_status_update(area: DevelopmentArea) -> StatusUpdate | None:
    return (
        StatusUpdate.objects.filter(area=area, sequence=area.status_version)
        .select_related("author")
        .first()
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
        update.save()
    area.status_version = seen_version + 1
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
def goal_assessments_save(*, cycle: FollowUpCycle, assessments: dict[ProgrammeGoal, str]) -> None:
    """Set each goal's assessment in the cycle; an empty text removes it."""
    _refuse_if_frozen(cycle)
    for goal, text in assessments.items():
        if text:
            GoalAssessment.objects.update_or_create(
                cycle=cycle, goal=goal, defaults={"assessment": text}
            )
        else:
            GoalAssessment.objects.filter(cycle=cycle, goal=goal).delete()


def indicator_value_save(
    *,
    cycle: FollowUpCycle,
    name: str,
    department: Department,
    value: Decimal,
    respondents: int,
) -> IndicatorValue:
    """Record an indicator's value for a department in the cycle (replacing an earlier one)."""
    _refuse_if_frozen(cycle)
    indicator, _created = IndicatorValue.objects.update_or_create(
        cycle=cycle,
        name=name,
        department=department,
        defaults={"value": value, "respondents": respondents},
    )
    return indicator


# -- PDFs ----------------------------------------------------------------------------


def pdf_request(
    *,
    cycle: FollowUpCycle,
    scope: str,
    code: str,
    language: str,
    user: AbstractBaseUser,
    regenerate: bool = False,
) -> StoredPdf:
    """Ask for a report PDF: rendered in the background and kept; a frozen cycle's stored
    PDF is served again unless ``regenerate``. Returns the stored PDF to follow."""
    from .tasks import render_stored_pdf  # the task imports the renderer, which is heavy

    with transaction.atomic():
        stored, _created = StoredPdf.objects.select_for_update().get_or_create(
            cycle=cycle,
            scope=scope,
            code=code,
            language=language,
            defaults={"requested_by": user},
        )
        if cycle.is_frozen and stored.state == StoredPdf.State.DONE and not regenerate:
            return stored
        stored.state = StoredPdf.State.PENDING
        stored.content, stored.sha256, stored.error = b"", "", ""
        stored.requested_by, stored.requested_at, stored.finished_at = user, timezone.now(), None
        stored.save()
    render_stored_pdf.enqueue(stored.pk)
    return stored


# -- a revision of the plan ---------------------------------------------------------


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
    open_cycle = FollowUpCycle.objects.filter(plan=current, state=FollowUpCycle.State.OPEN).first()
    if open_cycle is not None:
        raise RevisionError(
            _(
                "The follow-up cycle “%(cycle)s” is open. Close it before applying a revised "
                "plan, so that no report changes under the people writing it."
            )
            % {"cycle": open_cycle.name}
        )
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
