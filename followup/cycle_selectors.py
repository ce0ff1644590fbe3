"""Reads for the follow-up cycle's pages, each in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date

from .models import FollowUpCycle, FollowUpReport, IndicatorValue, Status
from .standings import reference_date, standings
from .summary import PlanSummary, Tally, summarise


@dataclass
class CycleOverview:
    """The cycle's reports, counted per support area and per responsible department."""

    cycle: FollowUpCycle
    as_of: date
    by_support_area: PlanSummary
    by_department: PlanSummary
    overdue: list[FollowUpReport]
    queue: list[FollowUpReport]
    reports: list[FollowUpReport]

    @property
    def total(self) -> Tally:
        return self.by_support_area.total


def cycle_overview(cycle: FollowUpCycle, today: date) -> CycleOverview:
    """Where the cycle's reports stand: one query for the reports, one (open cycles) for
    the latest status of the areas whose reports are not started."""
    reports = list(
        cycle.reports.select_related(
            "area__support_area", "area__responsible_department", "submitted_by"
        ).order_by("area__support_area__order", "area__order")
    )
    as_of = reference_date(cycle, today)
    cycle_standings = standings(
        [r.area for r in reports], as_of=as_of, cycle=cycle, reports={r.area_id: r for r in reports}
    )
    overdue = [r for r in reports if today > cycle.deadline and r.is_editable]
    return CycleOverview(
        cycle=cycle,
        as_of=as_of,
        by_support_area=summarise(cycle_standings, as_of=as_of),
        by_department=summarise(cycle_standings, as_of=as_of, by="department"),
        overdue=overdue,
        queue=[r for r in reports if r.is_submitted],
        reports=reports,
    )


def previous_cycle(cycle: FollowUpCycle) -> FollowUpCycle | None:
    return (
        FollowUpCycle.objects.filter(plan=cycle.plan, year__lt=cycle.year).order_by("-year").first()
    )


@dataclass
class ChangeSincePrevious:
    """How one area's report differs from its report in the previous cycle."""

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
) -> list[ChangeSincePrevious]:
    """What changed between the previous cycle's reports and this one's: five queries (the
    previous cycle, and each cycle's reports with their risks)."""
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
        change = ChangeSincePrevious(report.area_key, report.area_title)
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
