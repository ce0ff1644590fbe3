"""Where each development area stands: the follow-up's rules, each written once.

* An area's **latest status** is its newest status update
  (``StatusUpdate.objects.latest_per_area``).
* An area is **late** when its planned end (which already honours its
  precision: "HT23" ends on 31 December 2023) has passed at the reference date
  and its work is not over (finished or cancelled).
* An area is **stale** when nothing was stated about it in the ``STALE_MONTHS``
  before the reference date, and its work is not over.

The reference date is today on live pages and the closing date for a closed
cycle. ``late_areas`` and ``stale_areas`` are the same rules for a queryset
(the plan page's filters).

A ``Standing`` is one area as a page reads it: what was last stated about it
(``statement``), its report in the cycle looked at, and the two flags. Live
pages take the latest status update (``live_standings``); a cycle's pages take
its reports, a frozen cycle's with the areas as frozen at closing
(``cycle_standings``).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from areas.models import DevelopmentArea

from .models import WORK_OVER, FollowUpCycle, FollowUpReport, StatusFields, StatusUpdate

STALE_MONTHS = 6


def stale_before(as_of: date) -> date:
    """Statements older than this are stale at ``as_of``."""
    return as_of - timedelta(days=30 * STALE_MONTHS)


def is_late(planned_end: date | None, statement: StatusFields | None, as_of: date) -> bool:
    """Planned end passed at ``as_of`` and the work not over."""
    if planned_end is None or planned_end >= as_of:
        return False
    return statement is None or not statement.is_over


def is_stale(stated_at: datetime | None, statement: StatusFields | None, as_of: date) -> bool:
    """Nothing stated in the last STALE_MONTHS before ``as_of``, and the work not over."""
    if statement is not None and statement.is_over:
        return False
    return stated_at is None or timezone.localdate(stated_at) < stale_before(as_of)


def _latest_area_ids(**filters) -> QuerySet:
    return StatusUpdate.objects.latest_per_area().filter(**filters).values("area_id")


def areas_with_latest(areas: QuerySet[DevelopmentArea], **filters) -> QuerySet:
    """The areas whose latest status update matches ``filters`` (e.g. ``status="red"``)."""
    return areas.filter(pk__in=_latest_area_ids(**filters))


def late_areas(areas: QuerySet[DevelopmentArea], as_of: date) -> QuerySet[DevelopmentArea]:
    """``is_late`` for a queryset, on the latest status updates."""
    return areas.filter(planned_end__lt=as_of).exclude(
        pk__in=_latest_area_ids(status__in=WORK_OVER)
    )


def stale_areas(areas: QuerySet[DevelopmentArea], as_of: date) -> QuerySet[DevelopmentArea]:
    """``is_stale`` for a queryset, on the latest status updates."""
    recent = _latest_area_ids(created_at__date__gte=stale_before(as_of))
    return areas.exclude(pk__in=recent).exclude(pk__in=_latest_area_ids(status__in=WORK_OVER))


def latest_status_by_area(areas) -> dict[int, StatusUpdate]:
    """Each area's latest status update (with its author), keyed by area id: one query.

    ``areas``: a queryset of areas, or their ids.
    """
    if isinstance(areas, QuerySet):
        areas = areas.values("pk")
    updates = StatusUpdate.objects.latest_per_area().filter(area__in=areas).select_related("author")
    return {u.area_id: u for u in updates}


@dataclass
class Standing:
    """One area as a page reads it, at the page's reference date."""

    area: DevelopmentArea
    statement: StatusFields | None  # a status update, or a report's own fields
    stated_at: datetime | None
    report: FollowUpReport | None  # its report in the cycle looked at, if any
    late: bool
    stale: bool
    held_up: bool = False  # set by pages that know what holds areas up (selectors.held_up_by)

    @property
    def status(self) -> str:
        """The status stated, or "" when nothing has been."""
        return self.statement.status if self.statement else ""

    @property
    def traffic_light(self) -> str:
        return self.statement.traffic_light if self.statement else ""

    @property
    def reviewer_disagrees(self) -> bool:
        """The reviewer rated the area otherwise than its owner."""
        report = self.report
        return bool(
            report and report.reviewer_light and report.reviewer_light != report.traffic_light
        )

    @property
    def not_handed_in(self) -> bool:
        """Its report in the cycle has not been handed in (not started, draft or returned)."""
        return self.report is not None and not self.report.is_handed_in


def live_standings(
    areas: list[DevelopmentArea],
    *,
    as_of: date,
    latest: dict[int, StatusUpdate] | None = None,
) -> list[Standing]:
    """Each area as its latest status update says, at ``as_of``: one query (none when
    ``latest`` is passed in)."""
    if latest is None:
        latest = latest_status_by_area([a.pk for a in areas])
    result = []
    for area in areas:
        update = latest.get(area.pk)
        stated_at = update.created_at if update else None
        result.append(
            Standing(
                area=area,
                statement=update,
                stated_at=stated_at,
                report=None,
                late=is_late(area.planned_end, update, as_of),
                stale=is_stale(stated_at, update, as_of),
            )
        )
    return result


def cycle_standings(
    cycle: FollowUpCycle,
    reports: list[FollowUpReport],
    *,
    as_of: date,
    records: dict | None = None,
) -> list[Standing]:
    """Each report's area as its report says, at ``as_of``: no query.

    A report holds its area's status all through the cycle (prefilled when the cycle
    opens, and every status update while it is open goes into it), so the report is
    where the area stands. In a frozen cycle the area is the record frozen at closing
    (``followup.records``); in an open one, the live area (``reports`` with their areas),
    or its record from ``records`` (by area id) where the caller made them.
    """
    result = []
    for report in reports:
        if records is not None:
            area = records[report.area_id]
        else:
            area = report.area_record if cycle.is_frozen else report.area
        statement = report if report.status else None
        result.append(
            Standing(
                area=area,
                statement=statement,
                stated_at=report.stated_at,
                report=report,
                late=is_late(area.planned_end, statement, as_of),
                stale=is_stale(report.stated_at, statement, as_of),
            )
        )
    return result


def reference_date(cycle: FollowUpCycle | None, today: date) -> date:
    """The date a page judges "late" and "stale" at: a frozen cycle's closing date, else today."""
    if cycle is not None and cycle.is_frozen and cycle.closed_at is not None:
        return timezone.localdate(cycle.closed_at)
    return today
