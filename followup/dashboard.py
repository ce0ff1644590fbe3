"""What the management council's dashboard shows, computed in a fixed number of queries.

Every number comes from the same few reads: the areas of the current plan
(narrowed by the dashboard's filters), where each stands in the chosen cycle
(``followup.standings``), counted by ``followup.summary`` like everywhere else,
and the cycle's risks.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

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
from .selectors import mark_held_up
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
    focus: str = ""  # the dependency graph's (dependency_graph)


@dataclass
class Selection:
    """The areas the dashboard's filters pick, where each stands, and what holds areas up."""

    as_of: date  # the date they are judged at
    standings: list[Standing]
    held_up: dict[int, list]  # area id -> what holds it up (followup.records.HoldUp)


def dashboard_standings(
    plan: ActionPlan, filters: DashboardFilters, today: date, *, held_up: bool = True
) -> Selection:
    """The areas the filters pick, where each stands, and what holds areas up.

    With a cycle: its reports' areas (as frozen at closing, for a closed cycle), where
    their reports say: one or two queries. Without one (no cycle yet): the plan's areas
    by their latest status update: two queries. What holds them up (unless ``held_up``
    is false): up to three more (none for a frozen cycle, whose records say). The status
    filters pick by the status counted."""
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
    held = mark_held_up(found, plan, cycle, as_of) if held_up else {}
    picked = [
        s
        for s in found
        if (not filters.status or (s.status or NOT_REPORTED) == filters.status)
        and (not filters.traffic_light or s.traffic_light == filters.traffic_light)
    ]
    return Selection(as_of, picked, held)


def dashboard_area_ids(plan: ActionPlan, filters: DashboardFilters, today: date) -> list[int]:
    """The ids of the areas the filters pick (as ``dashboard_standings``)."""
    selection = dashboard_standings(plan, filters, today, held_up=False)
    return [s.area.pk for s in selection.standings]


def _plan_filtered(plan: ActionPlan, filters: DashboardFilters) -> QuerySet[DevelopmentArea]:
    return filter_plan_areas(
        DevelopmentArea.objects.filter(plan=plan),
        support_area=filters.support_area,
        department=filters.department,
    )


@dataclass
class TimelineGroup:
    """One support area's part of the timeline: its dated areas, and those without dates."""

    code: str
    label: str
    dated: list[Standing]
    undated: list[Standing]
    late: int

    @property
    def areas(self) -> int:
        return len(self.dated) + len(self.undated)


@dataclass
class Dashboard:
    summary: PlanSummary
    standings: list[Standing]
    timeline: list[TimelineGroup]
    disagreements: list[Standing]
    held_up: dict[int, list]
    risks: RiskTally
    as_of: date


def build_dashboard(plan: ActionPlan, filters: DashboardFilters, today: date) -> Dashboard:
    """``dashboard_standings`` and the cycle's risks: at most six queries."""
    selection = dashboard_standings(plan, filters, today)
    standings = selection.standings
    groups: dict[str, TimelineGroup] = {}
    for standing in standings:
        support_area = standing.area.support_area
        group = groups.setdefault(
            support_area.code,
            TimelineGroup(
                support_area.code, f"{support_area.number} {support_area.name}", [], [], 0
            ),
        )
        (group.undated if standing.area.is_undated else group.dated).append(standing)
        group.late += standing.late
    area_ids = [s.area.pk for s in standings]
    risks = tally_risks(risks_for(filters.cycle, area_ids, filters.aspect) if filters.cycle else [])
    return Dashboard(
        summary=summarise(standings, as_of=selection.as_of),
        standings=standings,
        timeline=list(groups.values()),
        disagreements=[s for s in standings if s.reviewer_disagrees],
        held_up=selection.held_up,
        risks=risks,
        as_of=selection.as_of,
    )


def top_risks(
    cycle: FollowUpCycle, area_ids: list[int], visible: QuerySet | None, count: int = 10
) -> list[Risk]:
    """The ``count`` highest risks by score (likelihood × consequence; then likelihood,
    then the area's key), of the reports in ``visible`` (None: all): one query."""
    risks = Risk.objects.filter(report__cycle=cycle, report__area__in=area_ids)
    if visible is not None:
        risks = risks.filter(report__in=visible.values("pk"))
    return list(
        risks.select_related("aspect", "report__area")
        .annotate(rank=F("likelihood") * F("consequence"))
        .order_by("-rank", "-likelihood", "report__area__key", "pk")[:count]
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
    values: list[
        tuple[FollowUpCycle, Decimal | None]
    ]  # None: hidden (too few respondents) or missing


def indicator_trends(
    plan: ActionPlan, minimum: int
) -> tuple[list[FollowUpCycle], list[IndicatorTrend]]:
    """Indicator values per cycle, oldest first; small groups are never shown."""
    cycles = list(FollowUpCycle.objects.filter(plan=plan).order_by("year"))
    values = IndicatorValue.objects.filter(cycle__in=cycles).select_related("department")
    table: dict[tuple[str, str], dict[int, Decimal | None]] = defaultdict(dict)
    for v in values:
        table[(v.name, v.department.code)][v.cycle_id] = (
            v.value if v.respondents >= minimum else None
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


def _focus(focus: str, by_id: dict, needs: dict, waits: dict) -> tuple[set[int], set[str]] | None:
    """The areas and external dependencies a focus keeps (None: no focus, keep all):
    ``sa:CODE`` a support area's areas and what they link to directly; ``x:CODE`` an
    external dependency and every area waiting on it, directly or through others;
    ``a:KEY`` an area, everything it waits on and everything that waits on it."""
    kind, _sep, value = focus.partition(":")
    dependents: dict[int, set[int]] = defaultdict(set)
    for a, ids in needs.items():
        for b in ids:
            dependents[b].add(a)

    def walk(start: set[int], step) -> set[int]:
        reached, stack = set(start), list(start)
        while stack:
            for following in step(stack.pop()):
                if following not in reached:
                    reached.add(following)
                    stack.append(following)
        return reached

    if kind == "sa":
        own = {pk for pk, a in by_id.items() if a.support_area.code == value}
        areas = own | {b for a in own for b in needs.get(a, ())}
        areas |= {a for b in own for a in dependents.get(b, ())}
        externals = {code for code, ids in waits.items() if ids & own}
        return areas, externals
    if kind == "x" and value in waits:
        return walk(set(waits[value]), lambda a: dependents.get(a, ())), {value}
    if kind == "a":
        start = {pk for pk, a in by_id.items() if a.key == value}
        if start:
            areas = walk(start, lambda a: needs.get(a, ())) | walk(
                start, lambda a: dependents.get(a, ())
            )
            externals = {code for code, ids in waits.items() if ids & areas}
            return areas, externals
    return None


def focus_choices(area_standings: list[Standing]) -> list[tuple[str, list[tuple[str, str]]]]:
    """What the dependency graph can be narrowed to, grouped for a select: the support
    areas, the external dependencies and the areas with a dependency (from ``_links``)."""
    needs, waits, externals = _links(area_standings)
    linked = set(needs) | {b for ids in needs.values() for b in ids}
    support_areas = {}
    for s in area_standings:
        support_area = s.area.support_area
        support_areas.setdefault(support_area.code, f"{support_area.number} {support_area.name}")
    return [
        (_("Support areas"), [(f"sa:{code}", label) for code, label in support_areas.items()]),
        (
            _("External dependencies"),
            [(f"x:{d.code}", d.name) for d in sorted(externals.values(), key=lambda d: d.name)],
        ),
        (
            _("Development areas that wait on another"),
            [
                (f"a:{s.area.key}", f"{s.area.key} {s.area.title}")
                for s in area_standings
                if s.area.pk in linked
            ],
        ),
    ]


def dependency_graph(area_standings: list[Standing], held_up: dict, focus: str = ""):
    """Layers for the graph (external dependencies, then areas by depth) and its list form,
    for the areas of ``area_standings`` (their links: ``_links``), narrowed to ``focus``
    (``_focus``); laid out in memory."""
    by_id = {s.area.pk: s.area for s in area_standings}
    status_of = {s.area.pk: s.status for s in area_standings}
    needs, waits, externals = _links(area_standings)
    kept = _focus(focus, by_id, needs, waits) if focus else None
    if kept is not None:
        areas, codes = kept
        needs = {a: ids & areas for a, ids in needs.items() if a in areas and ids & areas}
        waits = {code: ids & areas for code, ids in waits.items() if code in codes}
        externals = {code: d for code, d in externals.items() if code in codes}

    in_graph = (
        {a for ids in waits.values() for a in ids}
        | set(needs)
        | {b for ids in needs.values() for b in ids}
    )
    depth = _depths(in_graph, needs)

    def area_title(a) -> str:
        title = f"{a.key} {a.title}"
        causes = held_up.get(a.pk)
        if causes:
            title += " – " + _("held up by %(causes)s") % {
                "causes": "; ".join(f"{c.name} ({c.get_state_display()})" for c in causes)
            }
        return title

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
                    "title": area_title(a),
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
