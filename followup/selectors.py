"""Reads of status and history that pages share, each in a fixed number of queries."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import F, QuerySet

from areas.models import DevelopmentArea, PlanChange

from .models import CLOSED_STATUSES, AreaComment, Status, StatusUpdate, TrafficLight


def latest_status_by_area(areas: QuerySet[DevelopmentArea]) -> dict[int, StatusUpdate]:
    """Each area's newest status update, keyed by area id: one query, whatever the count."""
    updates = StatusUpdate.objects.filter(
        area__in=areas.values("pk"), sequence=F("area__status_version")
    ).select_related("author")
    return {u.area_id: u for u in updates}


def latest_status_ids(**filters) -> QuerySet[StatusUpdate]:
    """Area ids whose newest status update matches ``filters`` (for use in a subquery)."""
    return StatusUpdate.objects.filter(sequence=F("area__status_version"), **filters).values(
        "area_id"
    )


def is_late(area: DevelopmentArea, latest: StatusUpdate | None, today: date) -> bool:
    """Planned end passed and the work not over (the end already honours its precision)."""
    if area.planned_end is None or area.planned_end >= today:
        return False
    return latest is None or latest.status not in CLOSED_STATUSES


def attach_status(
    areas: list[DevelopmentArea], latest: dict[int, StatusUpdate], today: date
) -> None:
    """Give each area ``latest_status`` and ``is_late`` for the templates."""
    for area in areas:
        area.latest_status = latest.get(area.pk)
        area.is_late = is_late(area, area.latest_status, today)


@dataclass
class StatusSummary:
    total: int
    not_reported: int
    by_status: list[tuple[str, str, int]]  # (value, label, count)
    by_light: list[tuple[str, str, int]]
    late: int


def summarise(
    areas: list[DevelopmentArea], latest: dict[int, StatusUpdate], today: date
) -> StatusSummary:
    statuses = Counter(latest[a.pk].status for a in areas if a.pk in latest)
    lights = Counter(latest[a.pk].traffic_light for a in areas if a.pk in latest)
    return StatusSummary(
        total=len(areas),
        not_reported=sum(1 for a in areas if a.pk not in latest),
        by_status=[(s.value, s.label, statuses[s.value]) for s in Status],
        by_light=[(t.value, t.label, lights[t.value]) for t in TrafficLight],
        late=sum(1 for a in areas if is_late(a, latest.get(a.pk), today)),
    )


@dataclass
class AreaHistory:
    updates: list[StatusUpdate]
    comments: list[AreaComment]
    plan_changes: list[PlanChange]


def area_history(area: DevelopmentArea) -> AreaHistory:
    """Status updates, comments and plan changes of one area, newest first: three queries."""
    return AreaHistory(
        updates=list(area.status_updates.select_related("author").order_by("-sequence")),
        comments=list(area.comments.select_related("author")),
        plan_changes=list(area.plan_changes.select_related("changed_by")),
    )
