"""Reads for the follow-up cycle's pages, each in a fixed number of queries."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from areas.models import ActionPlan, DevelopmentArea, ExternalDependency

from .models import FollowUpCycle, FollowUpReport, IndicatorValue, ReportState, Status

STATES = list(ReportState)


@dataclass
class StateCounts:
    label: str
    counts: Counter = field(default_factory=Counter)
    link: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[tuple[str, int]]:
        return [(s.value, self.counts[s.value]) for s in STATES]


@dataclass
class CycleOverview:
    cycle: FollowUpCycle
    by_support_area: list[StateCounts]
    by_department: list[StateCounts]
    total: StateCounts
    overdue: list[FollowUpReport]
    queue: list[FollowUpReport]
    reports: list[FollowUpReport]

    @property
    def done_percent(self) -> int:
        total = self.total.total
        done = self.total.counts[ReportState.APPROVED] + self.total.counts[ReportState.SUBMITTED]
        return round(100 * done / total) if total else 0

    @property
    def approved_percent(self) -> int:
        total = self.total.total
        return round(100 * self.total.counts[ReportState.APPROVED] / total) if total else 0


def cycle_overview(cycle: FollowUpCycle, today: date) -> CycleOverview:
    """Report states per support area and per responsible department: one query for the reports."""
    reports = list(
        cycle.reports.select_related(
            "area__support_area", "area__responsible_department", "submitted_by"
        ).order_by("area__support_area__order", "area__order")
    )
    by_sa: dict[int, StateCounts] = {}
    by_dep: dict[int, StateCounts] = {}
    total = StateCounts("")
    for report in reports:
        sa = report.area.support_area
        by_sa.setdefault(sa.pk, StateCounts(f"{sa.number} {sa.name}", link=sa.code))
        by_sa[sa.pk].counts[report.state] += 1
        dep = report.area.responsible_department
        if dep is not None:
            by_dep.setdefault(dep.pk, StateCounts(str(dep), link=dep.code))
            by_dep[dep.pk].counts[report.state] += 1
        total.counts[report.state] += 1
    unsubmitted = (ReportState.NOT_STARTED, ReportState.DRAFT, ReportState.RETURNED)
    overdue = [r for r in reports if today > cycle.deadline and r.state in unsubmitted]
    queue = [r for r in reports if r.state == ReportState.SUBMITTED]
    return CycleOverview(
        cycle=cycle,
        by_support_area=list(by_sa.values()),
        by_department=sorted(by_dep.values(), key=lambda c: c.label),
        total=total,
        overdue=overdue,
        queue=queue,
        reports=reports,
    )


def previous_cycle(cycle: FollowUpCycle) -> FollowUpCycle | None:
    return (
        FollowUpCycle.objects.filter(plan=cycle.plan, year__lt=cycle.year).order_by("-year").first()
    )


@dataclass
class AreaChange:
    key: str
    title: str
    status: tuple[str, str] | None = None  # (before, after) labels
    light: tuple[str, str] | None = None
    new_risks: list[str] = field(default_factory=list)
    closed_risks: list[str] = field(default_factory=list)
    finished: bool = False

    @property
    def any(self) -> bool:
        return bool(self.status or self.light or self.new_risks or self.closed_risks)


def changes_since_previous(
    cycle: FollowUpCycle, area_ids: list[int] | None = None
) -> list[AreaChange]:
    """What changed between the previous cycle's reports and this one's: two queries."""
    before_cycle = previous_cycle(cycle)
    if before_cycle is None:
        return []

    def load(c):
        reports = c.reports.select_related("area").prefetch_related("risks")
        if area_ids is not None:
            reports = reports.filter(area_id__in=area_ids)
        return {r.area_id: r for r in reports}

    before, now = load(before_cycle), load(cycle)
    changes = []
    for area_id, report in now.items():
        old = before.get(area_id)
        change = AreaChange(report.area_key, report.area_title)
        old_status = old.get_status_display() if old and old.status else "–"
        new_status = report.get_status_display() if report.status else "–"
        if old_status != new_status:
            change.status = (old_status, new_status)
        old_light = old.get_traffic_light_display() if old and old.traffic_light else "–"
        new_light = report.get_traffic_light_display() if report.traffic_light else "–"
        if old_light != new_light:
            change.light = (old_light, new_light)
        old_risks = {r.description for r in old.risks.all()} if old else set()
        new_risks = {r.description for r in report.risks.all()}
        change.new_risks = sorted(new_risks - old_risks)
        change.closed_risks = sorted(old_risks - new_risks)
        change.finished = report.status == Status.FINISHED and (
            not old or old.status != Status.FINISHED
        )
        if change.any:
            changes.append(change)
    return changes


def slipping_dependencies(plan: ActionPlan) -> dict[int, list[ExternalDependency]]:
    """Areas that wait, directly or through other areas, on a delayed or blocked dependency.

    Maps each such area's id to the dependencies that hold it up. Three queries,
    then a walk over the dependency graph in memory.
    """
    slipping = {
        d.pk: d for d in ExternalDependency.objects.exclude(state=ExternalDependency.State.ON_TRACK)
    }
    if not slipping:
        return {}
    direct: dict[int, set[int]] = defaultdict(set)
    through = DevelopmentArea.external_dependencies.through.objects.filter(
        developmentarea__plan=plan, externaldependency_id__in=slipping
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
        area_id: sorted((slipping[d] for d in deps), key=lambda d: d.name)
        for area_id, deps in held.items()
    }


@dataclass
class IndicatorRow:
    name: str
    department: str
    value: str | None  # None when too few answered to show it
    respondents: int


def indicator_rows(cycle: FollowUpCycle, minimum: int) -> list[IndicatorRow]:
    """Indicator values; a value from fewer than ``minimum`` respondents is never shown."""
    rows = []
    for v in IndicatorValue.objects.filter(cycle=cycle).select_related("department"):
        shown = v.respondents >= minimum
        rows.append(IndicatorRow(v.name, v.department.code, str(v.value) if shown else None,
                                 v.respondents))  # fmt: skip
    return rows
