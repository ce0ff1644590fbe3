"""What the management council's dashboard shows, computed in a fixed number of queries.

Every number is built from the same few reads: the areas of the current plan
(narrowed by the dashboard's filters), each area's latest status update, and the
reports of the chosen cycle with their risks.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import F, QuerySet

from areas.models import ActionPlan, Department, DevelopmentArea, RiskAspect, SupportArea
from areas.selectors import filter_areas

from .models import (
    CLOSED_STATUSES,
    STALE_MONTHS,
    FollowUpCycle,
    IndicatorValue,
    ReportState,
    Risk,
    Status,
    StatusUpdate,
    TrafficLight,
)
from .selectors import is_late


@dataclass
class DashboardFilters:
    support_area: SupportArea | None = None
    department: Department | None = None
    cycle: FollowUpCycle | None = None
    status: str = ""
    traffic_light: str = ""
    aspect: RiskAspect | None = None


def filtered_areas(plan: ActionPlan, filters: DashboardFilters) -> QuerySet[DevelopmentArea]:
    """The plan's areas narrowed the same way, and by the same code, as on the plan page."""
    return filter_areas(
        DevelopmentArea.objects.filter(plan=plan),
        today=date.today(),  # unused: the dashboard has no "late" filter
        support_area=filters.support_area,
        department=filters.department,
        status=filters.status,
        traffic_light=filters.traffic_light,
    )


@dataclass
class SupportAreaRow:
    support_area: SupportArea
    total: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_light: Counter = field(default_factory=Counter)
    by_reviewer_light: Counter = field(default_factory=Counter)
    late: int = 0
    upcoming: int = 0
    stale: int = 0
    reports: int = 0
    reports_done: int = 0

    @property
    def completion(self) -> int | None:
        return round(100 * self.reports_done / self.reports) if self.reports else None


@dataclass
class TimelineRow:
    area: DevelopmentArea
    latest: StatusUpdate | None
    late: bool


@dataclass
class Dashboard:
    rows: list[SupportAreaRow]
    total: SupportAreaRow
    timeline: list[TimelineRow]
    undated: list[TimelineRow]
    heatmap: dict[tuple[int, int], int]
    risk_count: int
    today: date


def build_dashboard(plan: ActionPlan, filters: DashboardFilters, today: date) -> Dashboard:
    """Four queries: support areas, areas, their latest updates, the cycle's reports and risks."""
    support_areas = list(SupportArea.objects.all())
    areas = list(
        filtered_areas(plan, filters)
        .select_related("support_area")
        .order_by("support_area__order", "order")
    )
    latest = {
        u.area_id: u
        for u in StatusUpdate.objects.filter(
            area__in=[a.pk for a in areas], sequence=F("area__status_version")
        )
    }
    reports = {}
    if filters.cycle is not None:
        reports = {
            r.area_id: r for r in filters.cycle.reports.filter(area__in=[a.pk for a in areas])
        }
    stale_before = today - timedelta(days=30 * STALE_MONTHS)

    rows = {sa.pk: SupportAreaRow(sa) for sa in support_areas}
    total = SupportAreaRow(SupportArea(name_sv="", name_en=""))
    timeline, undated = [], []
    for area in areas:
        update = latest.get(area.pk)
        late = is_late(area, update, today)
        for row in (rows[area.support_area_id], total):
            row.total += 1
            row.by_status[update.status if update else "none"] += 1
            if update:
                row.by_light[update.traffic_light] += 1
            row.late += late
            row.upcoming += area.upcoming
            row.stale += (update is None or update.created_at.date() < stale_before) and not (
                update and update.status in CLOSED_STATUSES
            )
            report = reports.get(area.pk)
            if report is not None:
                row.reports += 1
                row.reports_done += report.state in (ReportState.SUBMITTED, ReportState.APPROVED)
                if report.reviewer_light:
                    row.by_reviewer_light[report.reviewer_light] += 1
        entry = TimelineRow(area, update, late)
        (undated if area.planned_start is None and area.planned_end is None else timeline).append(
            entry
        )

    heatmap: dict[tuple[int, int], int] = defaultdict(int)
    risk_count = 0
    if filters.cycle is not None:
        for risk in risks_for(filters.cycle, [a.pk for a in areas], filters.aspect):
            heatmap[(risk.likelihood, risk.consequence)] += 1
            risk_count += 1
    return Dashboard(
        rows=[r for r in rows.values() if r.total],
        total=total,
        timeline=timeline,
        undated=undated,
        heatmap=dict(heatmap),
        risk_count=risk_count,
        today=today,
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
    return next(
        (c for c in cycles if c.state == FollowUpCycle.State.OPEN), cycles[0] if cycles else None
    )


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


STATUS_ORDER = ["none", *Status.values]
LIGHT_ORDER = TrafficLight.values


@dataclass
class DependencyEntry:
    dependency: object  # ExternalDependency
    direct: list[DevelopmentArea]
    indirect: list[DevelopmentArea]


def dependency_graph(areas: list[DevelopmentArea], latest: dict, slipping: dict):
    """Layers for the graph (external dependencies, then areas by depth) and its list form.

    Three queries: the external dependencies, the area→dependency links, the
    area→area links; the layering is done in memory.
    """
    from areas.models import ExternalDependency

    from .charts import STATUS_COLOURS

    by_id = {a.pk: a for a in areas}
    external_links = DevelopmentArea.external_dependencies.through.objects.filter(
        developmentarea_id__in=by_id
    )
    area_links = DevelopmentArea.depends_on.through.objects.filter(
        from_developmentarea_id__in=by_id, to_developmentarea_id__in=by_id
    )
    needs: dict[int, set[int]] = defaultdict(set)  # area -> areas it depends on
    for link in area_links:
        needs[link.from_developmentarea_id].add(link.to_developmentarea_id)
    waits: dict[int, set[int]] = defaultdict(set)  # external -> areas waiting directly
    for link in external_links:
        waits[link.externaldependency_id].add(link.developmentarea_id)
    externals = {d.pk: d for d in ExternalDependency.objects.filter(pk__in=waits)}

    in_graph = (
        {a for ids in waits.values() for a in ids}
        | set(needs)
        | {b for ids in needs.values() for b in ids}
    )
    depth: dict[int, int] = {}

    def layer(area_id: int, seen: frozenset = frozenset()) -> int:
        if area_id in depth:
            return depth[area_id]
        if area_id in seen:  # a cycle in the plan's dependencies: stop here
            return 1
        inner = [layer(b, seen | {area_id}) for b in needs.get(area_id, ())]
        depth[area_id] = 1 + max(inner, default=0)
        return depth[area_id]

    for area_id in in_graph:
        layer(area_id)
    layers: list[list[dict]] = [
        [
            {
                "id": f"x{d.pk}",
                "label": d.name,
                "title": f"{d.name}: {d.get_state_display()}",
                "kind": "external",
                "url": "",
                "held": d.state != ExternalDependency.State.ON_TRACK,
                "colour": {"on_track": "#1e7b34", "delayed": "#b35c00", "blocked": "#b00020"}[
                    d.state
                ],
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
                    "held": a.pk in slipping,
                    "colour": STATUS_COLOURS[latest[a.pk].status if a.pk in latest else "none"],
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
        direct = waits[d.pk]
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
