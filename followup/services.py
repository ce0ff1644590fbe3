"""Status updates and comments: appended with a version check, so nobody's work is lost."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from areas.models import DevelopmentArea
from areas.plandates import read_planned_period

from .models import AreaComment, StatusUpdate
from .versioning import data_changed


class StatusConflict(Exception):
    """Someone else saved a status update after the form was opened."""

    message = _("Someone else saved a status update for this area after you opened the form.")

    def __init__(self, latest: StatusUpdate | None) -> None:
        super().__init__(str(self.message))
        self.latest = latest


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
    Permission is the caller's business (``areas.permissions.can_edit_area``).
    """
    period = read_planned_period(revised_end_text)
    with transaction.atomic():
        data_changed()  # first (see followup.versioning)
        bumped = DevelopmentArea.objects.filter(pk=area.pk, status_version=seen_version).update(
            status_version=F("status_version") + 1
        )
        if not bumped:
            area.refresh_from_db(fields=["status_version"])
            raise StatusConflict(latest_status_update(area))
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
            revised_end=period.end.value if period.end else None,
            revised_end_precision=period.end.precision.value if period.end else "",
        )
        # Field values (choices, lengths) are checked here; the database itself
        # enforces the constraints (reason for amber/red, unique sequence).
        update.clean_fields(exclude=["area", "author"])
        update.save()
    area.status_version = seen_version + 1
    return update


def comment_create(*, area: DevelopmentArea, author: AbstractBaseUser, text: str) -> AreaComment:
    comment = AreaComment(area=area, author=author, text=text)
    comment.clean_fields(exclude=["area", "author"])
    comment.save()
    return comment
