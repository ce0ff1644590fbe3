"""Reads of status and history that pages share, each in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from areas.models import ActionPlan, DevelopmentArea, ExternalDependency, PlanChange
from areas.selectors import filter_plan_areas

from .models import AreaComment, StatusUpdate
from .standings import areas_with_latest, is_late, late_areas, stale_areas
from .summary import NOT_REPORTED


def filter_areas(
    areas: QuerySet[DevelopmentArea],
    *,
    as_of: date,
    status: str = "",
    traffic_light: str = "",
    late: bool = False,
    stale: bool = False,
    **plan_filters,
) -> QuerySet[DevelopmentArea]:
    """Narrow areas the way the plan page's filter form asks: by the plan's own fields
    (``areas.selectors.filter_plan_areas``) and by their latest status."""
    areas = filter_plan_areas(areas, **plan_filters)
    if status == NOT_REPORTED:
        areas = areas.filter(status_version=0)
    elif status:
        areas = areas_with_latest(areas, status=status)
    if traffic_light:
        areas = areas_with_latest(areas, traffic_light=traffic_light)
    if late:
        areas = late_areas(areas, as_of)
    if stale:
        areas = stale_areas(areas, as_of)
    return areas


def attach_status(
    areas: list[DevelopmentArea], latest: dict[int, StatusUpdate], as_of: date
) -> None:
    """Give each area ``latest_status`` and ``is_late`` for the templates."""
    for area in areas:
        area.latest_status = latest.get(area.pk)
        area.is_late = is_late(area.planned_end, area.latest_status, as_of)


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


def held_up_by(plan: ActionPlan) -> dict[int, list[ExternalDependency]]:
    """Areas that wait, directly or through other areas, on a delayed or blocked dependency.

    Maps each such area's id to the external dependencies that hold it up. Three
    queries, then a walk over the dependency graph in memory (no recursion, so a
    chain of any length is walked).
    """
    holding = {
        d.pk: d for d in ExternalDependency.objects.exclude(state=ExternalDependency.State.ON_TRACK)
    }
    if not holding:
        return {}
    direct: dict[int, set[int]] = defaultdict(set)
    through = DevelopmentArea.external_dependencies.through.objects.filter(
        developmentarea__plan=plan, externaldependency_id__in=holding
    )
    for link in through:
        direct[link.developmentarea_id].add(link.externaldependency_id)
    dependents: dict[int, set[int]] = defaultdict(set)  # area -> areas that depend on it
    for link in DevelopmentArea.depends_on.through.objects.filter(from_developmentarea__plan=plan):
        dependents[link.to_developmentarea_id].add(link.from_developmentarea_id)
    held: dict[int, set[int]] = defaultdict(set)
    for area_id, deps in direct.items():
        stack, seen = [area_id], set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            held[current] |= deps
            stack.extend(dependents[current])
    return {
        area_id: sorted((holding[d] for d in deps), key=lambda d: d.name)
        for area_id, deps in held.items()
    }
