"""Reads for the follow-up cycle's pages, each in a fixed number of queries."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from areas.models import Department, DevelopmentArea
from areas.roles import headed_department_ids

from . import permissions
from .models import FollowUpCycle, FollowUpReport, IndicatorValue, Status
from .standings import cycle_standings, reference_date
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


def cycle_reports(
    cycle: FollowUpCycle,
    *,
    support_area: str = "",
    department: str = "",
    area: str = "",
    state: str = "",
    with_heads: bool = False,
) -> list[FollowUpReport]:
    """The cycle's reports in the plan's order, narrowed to a support area, a department
    (responsible or taking part), one area (by its key) or a state, by the areas as the
    cycle saw them: as frozen at closing, or the live plan's while it is open. One query
    (two with a filter on participating departments of an open cycle, and one for the
    departments' heads when ``with_heads`` asks for them)."""
    reports = cycle.reports.select_related("submitted_by").order_by(
        "area__support_area__order", "area__order"
    )
    if state:
        reports = reports.filter(state=state)
    if cycle.is_frozen:
        found = list(reports)
        if support_area:
            found = [r for r in found if r.area_record.support_area.code == support_area]
        if department:
            found = [r for r in found if r.area_record.involves_codes({department})]
        if area:
            found = [r for r in found if r.area_key == area]
        return sorted(found, key=lambda r: (r.area_record.support_area.order, r.area_record.order))
    reports = reports.select_related(
        "area__support_area", "area__group", "area__responsible_department"
    )
    if with_heads:
        reports = reports.prefetch_related("area__responsible_department__heads")
    if support_area:
        reports = reports.filter(area__support_area__code=support_area)
    if department:
        involved = DevelopmentArea.objects.involving(
            Department.objects.filter(code=department).values("pk")
        )
        reports = reports.filter(area__in=involved.values("pk"))
    if area:
        reports = reports.filter(area__key=area)
    return list(reports)


def scope_filter(scope: str, code: str) -> dict[str, str]:
    """``cycle_reports``' narrowing for a report PDF's scope (its kind and code)."""
    return {"support_area": {"support_area": code}, "department": {"department": code},
            "area": {"area": code}}.get(scope, {})  # fmt: skip


@dataclass(frozen=True)
class PdfReadership:
    """What one reader may read in a report PDF of a cycle: which of its reports' text
    (``permissions.reports_readable_by``, the report pages' rule) and whether the cycle's
    own text (``permissions.can_read_cycle_text``). The PDF made for a reader shows that
    and no more; readers who may read the same share one stored PDF (``key``)."""

    reports: frozenset[int]  # of the scope's reports, those whose text the reader may read
    cycle_text: bool
    complete: bool  # every report of the scope

    @property
    def key(self) -> str:
        if self.complete and self.cycle_text:
            return "all"
        ids = ",".join(str(pk) for pk in sorted(self.reports))
        return hashlib.sha256(f"{int(self.cycle_text)}|{ids}".encode()).hexdigest()[:16]

    def covers(self, reports: Iterable[int] | None, cycle_text: bool) -> bool:
        """Whether the reader may read everything a PDF showing these reports' text (None:
        every report of the scope) and, if ``cycle_text``, the cycle's text shows."""
        if cycle_text and not self.cycle_text:
            return False
        if reports is None:
            return self.complete
        return set(reports) <= self.reports


def pdf_readership(user, cycle: FollowUpCycle, scope: str, code: str) -> PdfReadership:
    """What ``user`` may read of the cycle's report PDF for this scope: two or three queries."""
    ids = {r.pk for r in cycle_reports(cycle, **scope_filter(scope, code))}
    readable = permissions.reports_readable_by(user, FollowUpReport.objects.filter(pk__in=ids))
    readable_ids = frozenset(readable.values_list("pk", flat=True))
    return PdfReadership(
        readable_ids, permissions.can_read_cycle_text(user, cycle), readable_ids >= ids
    )


def cycle_overview(cycle: FollowUpCycle, today: date) -> CycleOverview:
    """Where the cycle's reports stand: two queries (the reports, the heads)."""
    reports = cycle_reports(cycle, with_heads=True)
    as_of = reference_date(cycle, today)
    standings = cycle_standings(cycle, reports, as_of=as_of)
    overdue = [r for r in reports if today > cycle.deadline and r.is_editable]
    return CycleOverview(
        cycle=cycle,
        as_of=as_of,
        by_support_area=summarise(standings, as_of=as_of),
        by_department=summarise(standings, as_of=as_of, by="department"),
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


class Changes(list):
    """The changes since the previous cycle, and which cycle that was (None: there is none,
    so nothing to compare with, which a page says otherwise than "nothing changed")."""

    def __init__(self, changes=(), previous: FollowUpCycle | None = None) -> None:
        super().__init__(changes)
        self.previous = previous


def changes_since_previous(cycle: FollowUpCycle, area_ids: list[int] | None = None) -> Changes:
    """What changed between the previous cycle's reports and this one's: five queries (the
    previous cycle, and each cycle's reports with their risks)."""
    before_cycle = previous_cycle(cycle)
    if before_cycle is None:
        return Changes()

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
    return Changes(changes, previous=before_cycle)


@dataclass
class IndicatorRow:
    name: str
    department: str
    value: Decimal | None  # None when too few answered to show it (shown localised)
    respondents: int


def indicator_rows(cycle: FollowUpCycle, minimum: int) -> list[IndicatorRow]:
    """Indicator values; a value from fewer than ``minimum`` respondents is never shown."""
    rows = []
    for v in IndicatorValue.objects.filter(cycle=cycle).select_related("department"):
        shown = v.respondents >= minimum
        rows.append(IndicatorRow(v.name, v.department.code, v.value if shown else None,
                                 v.respondents))  # fmt: skip
    return rows


def frozen_indicator_rows(frozen_plan: dict, minimum: int) -> list[IndicatorRow]:
    """A frozen cycle's indicator values, as ``indicator_rows`` shows them."""
    return [
        IndicatorRow(
            v["name"],
            v["department"],
            Decimal(v["value"]) if v["respondents"] >= minimum else None,
            v["respondents"],
        )
        for v in frozen_plan.get("indicators", [])
    ]


@dataclass
class HeadCycle:
    """What a department head is asked for in the open cycle (the banner on My areas and on
    each report): the cycle, its deadline, and their reports, those returned first."""

    cycle: FollowUpCycle
    days_left: int
    reports: list[FollowUpReport]

    @property
    def returned(self) -> list[FollowUpReport]:
        return [r for r in self.reports if r.is_returned]

    @property
    def left(self) -> list[FollowUpReport]:
        """Still in the head's hands (returned ones first)."""
        editable = [r for r in self.reports if r.is_editable]
        return sorted(editable, key=lambda r: not r.is_returned)

    @property
    def handed_in(self) -> int:
        return sum(r.is_handed_in for r in self.reports)


def head_cycle(user, plan, today: date, cycle: FollowUpCycle | None = None) -> HeadCycle | None:
    """The open cycle (``cycle``, when the caller has it) as a head sees it: the reports of
    the areas their departments are responsible for. Two queries, one with ``cycle``
    (none for someone who heads no department)."""
    headed = headed_department_ids(user)
    if not headed or plan is None:
        return None
    if cycle is None:
        cycle = FollowUpCycle.objects.filter(plan=plan, state=FollowUpCycle.State.OPEN).first()
    if cycle is None or not cycle.is_open:
        return None
    cycle.plan = plan
    reports = list(
        cycle.reports.filter(area__responsible_department__in=headed)
        .select_related("area")
        .order_by("area__support_area__order", "area__order")
    )
    return HeadCycle(cycle=cycle, days_left=cycle.days_left(today), reports=reports)
