"""What the management council's dashboard shows, computed in a fixed number of queries.

Every number comes from the same few reads: the areas of the current plan
(narrowed by the dashboard's filters), where each stands in the chosen cycle
(``followup.standings``), counted by ``followup.summary`` like everywhere else,
and the cycle's risks.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from areas.models import (
    ActionPlan,
    Department,
    DevelopmentArea,
    ExternalDependency,
    RiskAspect,
    SupportArea,
)
from areas.selectors import filter_plan_areas

from . import charts
from .cycle_selectors import cycle_reports
from .models import FollowUpCycle, IndicatorValue, Risk
from .records import AreaRecord
from .standings import Standing, cycle_standings, live_standings, reference_date
from .summary import NOT_REPORTED, PlanSummary, RiskTally, summarise, tally_risks


@dataclass
class DashboardFilters:
    support_area: SupportArea | None = None
    department: Department | None = None
    cycle: FollowUpCycle | None = None
    status: str = ""
    traffic_light: str = ""
    aspect: RiskAspect | None = None


def dashboard_standings(
    plan: ActionPlan, filters: DashboardFilters, today: date
) -> tuple[date, list[Standing]]:
    """The areas the filters pick, where each stands, and the date they are judged at.

    With a cycle: its reports' areas (as frozen at closing, for a closed cycle), where
    their reports say: one or two queries. Without one (no cycle yet): the plan's areas
    by their latest status update: two queries. The status filters pick by the status
    counted."""
    cycle = filters.cycle
    as_of = reference_date(cycle, today)
    if cycle is not None:
        reports = cycle_reports(
            cycle,
            support_area=filters.support_area.code if filters.support_area else "",
            department=filters.department.code if filters.department else "",
        )
        found = cycle_standings(cycle, reports, as_of=as_of)
    else:
        areas = _plan_filtered(plan, filters).select_related(
            "support_area", "responsible_department"
        )
        found = live_standings(list(areas.order_by("support_area__order", "order")), as_of=as_of)
    picked = [
        s
        for s in found
        if (not filters.status or (s.status or NOT_REPORTED) == filters.status)
        and (not filters.traffic_light or s.traffic_light == filters.traffic_light)
    ]
    return as_of, picked


def dashboard_area_ids(plan: ActionPlan, filters: DashboardFilters, today: date) -> list[int]:
    """The ids of the areas the filters pick (as ``dashboard_standings``)."""
    return [s.area.pk for s in dashboard_standings(plan, filters, today)[1]]


def _plan_filtered(plan: ActionPlan, filters: DashboardFilters) -> QuerySet[DevelopmentArea]:
    return filter_plan_areas(
        DevelopmentArea.objects.filter(plan=plan),
        support_area=filters.support_area,
        department=filters.department,
    )


@dataclass
class Dashboard:
    summary: PlanSummary
    timeline: list[Standing]
    undated: list[Standing]
    risks: RiskTally
    as_of: date


def build_dashboard(plan: ActionPlan, filters: DashboardFilters, today: date) -> Dashboard:
    """Four queries: ``dashboard_standings``, and the cycle's risks."""
    as_of, area_standings = dashboard_standings(plan, filters, today)
    timeline, undated = [], []
    for standing in area_standings:
        (undated if standing.area.is_undated else timeline).append(standing)
    area_ids = [s.area.pk for s in area_standings]
    risks = tally_risks(risks_for(filters.cycle, area_ids, filters.aspect) if filters.cycle else [])
    return Dashboard(
        summary=summarise(area_standings, as_of=as_of),
        timeline=timeline,
        undated=undated,
        risks=risks,
        as_of=as_of,
    )


def risks_for(
    cycle: FollowUpCycle, area_ids: list[int], aspect: RiskAspect | None = None, **cell
) -> QuerySet[Risk]:
    risks = Risk.objects.filter(report__cycle=cycle, report__area__in=area_ids).select_related(
        "aspect", "report__area"
    )
    if aspect is not None:
        risks = risks.filter(aspect=aspect)
    return risks.filter(**cell).order_by("-likelihood", "-consequence", "report__area__key")


def default_cycle(plan: ActionPlan) -> FollowUpCycle | None:
    """The cycle a dashboard shows unless told otherwise: the open one, else the newest."""
    cycles = list(FollowUpCycle.objects.filter(plan=plan).order_by("-year"))
    return next((c for c in cycles if c.is_open), cycles[0] if cycles else None)


@dataclass
class IndicatorTrend:
    name: str
    department: str
    values: list[tuple[FollowUpCycle, str | None]]  # None: hidden (too few respondents) or missing


def indicator_trends(
    plan: ActionPlan, minimum: int
) -> tuple[list[FollowUpCycle], list[IndicatorTrend]]:
    """Indicator values per cycle, oldest first; small groups are never shown."""
    cycles = list(FollowUpCycle.objects.filter(plan=plan).order_by("year"))
    values = IndicatorValue.objects.filter(cycle__in=cycles).select_related("department")
    table: dict[tuple[str, str], dict[int, str | None]] = defaultdict(dict)
    for v in values:
        table[(v.name, v.department.code)][v.cycle_id] = (
            str(v.value) if v.respondents >= minimum else None
        )
    trends = [
        IndicatorTrend(name, dep, [(c, table[(name, dep)].get(c.pk)) for c in cycles])
        for (name, dep) in sorted(table)
    ]
    return cycles, trends


@dataclass
class DependencyEntry:
    dependency: ExternalDependency
    direct: list[DevelopmentArea]
    indirect: list[DevelopmentArea]


def _depths(nodes: set[int], needs: dict[int, set[int]]) -> dict[int, int]:
    """Each area's layer: 1 for an area that needs no other, else one more than the deepest
    it needs. Walked with a stack, not recursion, so a chain of any length is fine; an
    area met again on its own path (a cycle in the plan's dependencies) counts as 1."""
    depth: dict[int, int] = {}
    for start in nodes:
        if start in depth:
            continue
        stack, on_path = [(start, iter(needs.get(start, ())))], {start}
        while stack:
            node, pending = stack[-1]
            following = next((n for n in pending if n not in depth), None)
            if following is not None and following not in on_path:
                stack.append((following, iter(needs.get(following, ()))))
                on_path.add(following)
                continue
            if following is not None:  # a cycle: break it here
                depth[following] = depth.get(following, 1)
                continue
            depth[node] = 1 + max((depth.get(n, 1) for n in needs.get(node, ())), default=0)
            on_path.discard(node)
            stack.pop()
    return depth


def _links(area_standings: list[Standing]):
    """What the areas depend on: (needs: area id -> ids of areas it depends on, waits:
    external code -> ids of areas waiting on it, externals: code -> dependency). From the
    records of a frozen cycle (no query), else from the plan (three queries)."""
    by_id = {s.area.pk: s.area for s in area_standings}
    needs: dict[int, set[int]] = defaultdict(set)
    waits: dict[str, set[int]] = defaultdict(set)
    if area_standings and isinstance(area_standings[0].area, AreaRecord):
        id_of = {area.key: pk for pk, area in by_id.items()}
        externals = {}
        for pk, area in by_id.items():
            needed = {id_of[d.key] for d in area.depends_on if d.key in id_of}
            if needed:
                needs[pk] = needed
            for dependency in area.external:
                waits[dependency.code].add(pk)
                externals[dependency.code] = dependency
        return needs, waits, externals
    for link in DevelopmentArea.depends_on.through.objects.filter(
        from_developmentarea_id__in=by_id, to_developmentarea_id__in=by_id
    ):
        needs[link.from_developmentarea_id].add(link.to_developmentarea_id)
    for link in DevelopmentArea.external_dependencies.through.objects.filter(
        developmentarea_id__in=by_id
    ).select_related("externaldependency"):
        waits[link.externaldependency.code].add(link.developmentarea_id)
    externals = {d.code: d for d in ExternalDependency.objects.filter(code__in=waits)}
    return needs, waits, externals


def dependency_graph(area_standings: list[Standing], held_up: dict):
    """Layers for the graph (external dependencies, then areas by depth) and its list form,
    for the areas of ``area_standings`` (their links: ``_links``); laid out in memory."""
    by_id = {s.area.pk: s.area for s in area_standings}
    status_of = {s.area.pk: s.status for s in area_standings}
    needs, waits, externals = _links(area_standings)

    in_graph = (
        {a for ids in waits.values() for a in ids}
        | set(needs)
        | {b for ids in needs.values() for b in ids}
    )
    depth = _depths(in_graph, needs)
    layers: list[list[dict]] = [
        [
            {
                "id": f"x{d.code}",
                "label": d.name,
                "title": f"{d.name}: {d.get_state_display()}",
                "kind": "external",
                "url": "",
                "held_up": d.holds_up,
                "colour": charts.DEPENDENCY_STATE_COLOURS[d.state],
            }
            for d in sorted(externals.values(), key=lambda d: d.name)
        ]
    ]
    for level in range(1, max(depth.values(), default=0) + 1):
        members = sorted(
            (by_id[a] for a, d in depth.items() if d == level),
            key=lambda a: (a.support_area.order, a.order),
        )
        layers.append(
            [
                {
                    "id": f"a{a.pk}",
                    "label": f"{a.key} {a.title}",
                    "kind": "area",
                    "title": f"{a.key} {a.title}",
                    "url": a.get_absolute_url(),
                    "held_up": a.pk in held_up,
                    "colour": charts.STATUS_COLOURS[status_of[a.pk] or "none"],
                }
                for a in members
            ]
        )
    edges = [(f"x{d}", f"a{a}") for d, ids in waits.items() for a in ids]
    edges += [(f"a{b}", f"a{a}") for a, ids in needs.items() for b in ids]

    dependents: dict[int, set[int]] = defaultdict(set)
    for a, ids in needs.items():
        for b in ids:
            dependents[b].add(a)
    entries = []
    for d in sorted(externals.values(), key=lambda d: d.name):
        direct = waits[d.code]
        reached, stack = set(), list(direct)
        while stack:
            current = stack.pop()
            for nxt in dependents.get(current, ()):
                if nxt not in reached and nxt not in direct:
                    reached.add(nxt)
                    stack.append(nxt)
        key = lambda a: (a.support_area.order, a.order)  # noqa: E731
        entries.append(
            DependencyEntry(
                d,
                sorted((by_id[a] for a in direct), key=key),
                sorted((by_id[a] for a in reached), key=key),
            )
        )
    return layers, edges, entries
