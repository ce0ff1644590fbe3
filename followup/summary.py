"""The one summary of where the plan stands, and the charts drawn from it.

Per support area (or per responsible department) and in total: the areas by
status and by their owners' traffic light, the reviewers' ratings, late,
upcoming and stale areas, and the reports by state (the cycle's completion).
The dashboard, the cycle overview, My areas, the PDF and the Excel summary
sheet all count with ``summarise``, and draw the same figure with the same
function below, so the same measure is the same number wherever it appears.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from . import charts
from .models import ReportState, Risk, Status, TrafficLight
from .standings import Standing

# The status of an area nothing has been stated about yet.
NOT_REPORTED = "none"


@dataclass
class Tally:
    """The counts of one group of areas (a support area, a department, or all)."""

    key: str
    label: str
    areas: int = 0
    by_status: Counter = field(default_factory=Counter)  # NOT_REPORTED for nothing stated
    by_light: Counter = field(default_factory=Counter)  # the owners' traffic lights
    by_reviewer_light: Counter = field(default_factory=Counter)
    by_report_state: Counter = field(default_factory=Counter)
    late: int = 0
    upcoming: int = 0
    stale: int = 0
    held_up: int = 0
    disagree: int = 0  # the reviewer's light differs from the owner's

    def add(self, standing: Standing) -> None:
        self.areas += 1
        self.by_status[standing.status or NOT_REPORTED] += 1
        if standing.traffic_light:
            self.by_light[standing.traffic_light] += 1
        self.late += standing.late
        self.stale += standing.stale
        self.upcoming += standing.area.upcoming
        self.held_up += standing.held_up
        self.disagree += standing.reviewer_disagrees
        report = standing.report
        if report is not None:
            self.by_report_state[report.state] += 1
            if report.reviewer_light:
                self.by_reviewer_light[report.reviewer_light] += 1

    @property
    def not_reported(self) -> int:
        return self.by_status[NOT_REPORTED]

    @property
    def not_handed_in(self) -> int:
        """Reports of the cycle not handed in (not started, draft or returned)."""
        return self.reports - self.handed_in

    @property
    def reports(self) -> int:
        return sum(self.by_report_state.values())

    @property
    def handed_in(self) -> int:
        return (
            self.by_report_state[ReportState.SUBMITTED] + self.by_report_state[ReportState.APPROVED]
        )

    @property
    def completion(self) -> int | None:
        """Per cent of the reports submitted or approved; None without reports."""
        return round(100 * self.handed_in / self.reports) if self.reports else None

    @property
    def approved_percent(self) -> int | None:
        if not self.reports:
            return None
        return round(100 * self.by_report_state[ReportState.APPROVED] / self.reports)

    @property
    def reviewer_amber_or_red(self) -> int:
        return self.by_reviewer_light[TrafficLight.AMBER] + self.by_reviewer_light[TrafficLight.RED]

    def light_cells(self) -> list[tuple[str, str, int]]:
        """(value, label, count) of the owners' traffic lights, in order."""
        return [(t.value, t.label, self.by_light[t.value]) for t in TrafficLight]

    def report_state_cells(self) -> list[tuple[str, int]]:
        return [(s.value, self.by_report_state[s.value]) for s in ReportState]


# The lists behind the figures: each counted by ``Tally`` above, and listed by the same
# question on the dashboard's list page, so a figure and its list always agree
# (tests/followup/test_dashboard_view.py holds every tile to its list).
SHOWS: dict[str, Callable[[Standing], bool]] = {
    "all": lambda s: True,
    "red": lambda s: s.traffic_light == TrafficLight.RED,
    "amber": lambda s: s.traffic_light == TrafficLight.AMBER,
    "green": lambda s: s.traffic_light == TrafficLight.GREEN,
    "no_light": lambda s: not s.traffic_light,
    "late": lambda s: s.late,
    "held_up": lambda s: s.held_up,
    "stale": lambda s: s.stale,
    "not_reported": lambda s: not s.status,
    "handed_in": lambda s: s.report is not None and s.report.is_handed_in,
    "not_handed_in": lambda s: s.not_handed_in,
    "disagree": lambda s: s.reviewer_disagrees,
}


def shown_count(tally: "Tally", show: str) -> int:
    """The figure ``Tally`` keeps for the list ``SHOWS[show]``."""
    return {
        "all": tally.areas,
        "red": tally.by_light[TrafficLight.RED],
        "amber": tally.by_light[TrafficLight.AMBER],
        "green": tally.by_light[TrafficLight.GREEN],
        "no_light": tally.areas - sum(tally.by_light.values()),
        "late": tally.late,
        "held_up": tally.held_up,
        "stale": tally.stale,
        "not_reported": tally.not_reported,
        "handed_in": tally.handed_in,
        "not_handed_in": tally.not_handed_in,
        "disagree": tally.disagree,
    }[show]


@dataclass
class PlanSummary:
    as_of: date
    rows: list[Tally]
    total: Tally


def _by_support_area(standing: Standing) -> tuple[str, str]:
    support_area = standing.area.support_area
    return support_area.code, f"{support_area.number} {support_area.name}"


def _by_responsible_department(standing: Standing) -> tuple[str, str] | None:
    department = standing.area.responsible_department
    return (department.code, str(department)) if department is not None else None


GROUPINGS: dict[str, Callable[[Standing], tuple[str, str] | None]] = {
    "support_area": _by_support_area,
    "department": _by_responsible_department,
}


def summarise(
    standings: Iterable[Standing], *, as_of: date, by: str | None = "support_area"
) -> PlanSummary:
    """Count the standings per support area (in the plan's order) or per responsible
    department (by its label), and in total; ``by=None``: in total only. Needs each
    area's support area (or responsible department) loaded."""
    group_of = GROUPINGS[by] if by else (lambda standing: None)
    rows: dict[str, Tally] = {}
    total = Tally("", _("All"))
    for standing in standings:
        total.add(standing)
        group = group_of(standing)
        if group is None:
            continue
        key, label = group
        rows.setdefault(key, Tally(key, label)).add(standing)
    ordered = list(rows.values())
    if by == "department":
        ordered.sort(key=lambda tally: tally.label)
    return PlanSummary(as_of=as_of, rows=ordered, total=total)


# -- the figures, drawn the same way wherever they appear ------------------------------

STATUS_SERIES_KEYS = [NOT_REPORTED, *Status.values]


def _status_series() -> list[tuple[str, str, str]]:
    return [(NOT_REPORTED, _("not yet reported"), charts.STATUS_COLOURS[NOT_REPORTED])] + [
        (s.value, s.label, charts.STATUS_COLOURS[s.value]) for s in Status
    ]


def _categories(summary: PlanSummary) -> list[tuple[str, str]]:
    return [(row.key, row.label) for row in summary.rows]


def status_chart(summary: PlanSummary, slug: str, link: Callable | None = None) -> charts.Chart:
    """Status per support area; ``link(row, status)`` gives each segment's address."""
    series = _status_series()
    return charts.stacked_bars(
        slug,
        _("Status per support area"),
        _("The number of development areas in each support area by their latest reported status."),
        _categories(summary),
        series,
        {(row.key, s): row.by_status[s] for row in summary.rows for s, _l, _c in series},
        {(row.key, s): link(row, s) for row in summary.rows for s, _l, _c in series}
        if link
        else None,
    )


def lights_chart(summary: PlanSummary, slug: str, link: Callable | None = None) -> charts.Chart:
    """The owners' traffic lights next to the reviewers' in the cycle."""
    series = [(t.value, t.label, charts.LIGHT_COLOURS[t.value]) for t in TrafficLight]
    total = summary.total
    return charts.stacked_bars(
        slug,
        _("Traffic lights: owners and reviewers"),
        _(
            "How many areas the owners rate green, amber and red, next to the "
            "secretariat's ratings in the chosen cycle."
        ),
        [("owner", _("Owners' latest status")), ("reviewer", _("Reviewers in the cycle"))],
        series,
        {("owner", t): total.by_light[t] for t, _l, _c in series}
        | {("reviewer", t): total.by_reviewer_light[t] for t, _l, _c in series},
        {("owner", t): link(t) for t, _l, _c in series} if link else None,
        shapes=charts.LIGHT_SHAPES,
    )


def late_chart(summary: PlanSummary, slug: str) -> charts.Chart:
    return charts.stacked_bars(
        slug,
        _("Late development areas"),
        _(
            "Areas per support area whose planned end has passed while they are neither "
            "finished nor cancelled; the areas are listed below."
        ),
        _categories(summary),
        [
            ("late", _("late"), charts.LATE_COLOURS["late"]),
            ("on_time", _("not late"), charts.LATE_COLOURS["on_time"]),
        ],
        {(row.key, "late"): row.late for row in summary.rows}
        | {(row.key, "on_time"): row.areas - row.late for row in summary.rows},
    )


def completion_chart(summary: PlanSummary, slug: str) -> charts.Chart:
    return charts.stacked_bars(
        slug,
        _("Cycle completion"),
        _("Reports per support area by their state in the cycle."),
        _categories(summary),
        [(s.value, s.label, charts.REPORT_STATE_COLOURS[s.value]) for s in ReportState],
        {(row.key, s): count for row in summary.rows for s, count in row.report_state_cells()},
    )


@dataclass
class RiskTally:
    count: int = 0
    cells: Counter = field(default_factory=Counter)  # (likelihood, consequence) -> count
    by_aspect: Counter = field(default_factory=Counter)  # (aspect id, band) -> count


def tally_risks(risks: Iterable[Risk]) -> RiskTally:
    tally = RiskTally()
    for risk in risks:
        tally.count += 1
        tally.cells[(risk.likelihood, risk.consequence)] += 1
        tally.by_aspect[(risk.aspect_id, charts.risk_band(risk.score))] += 1
    return tally


def heatmap_chart(risks: RiskTally, slug: str, link: Callable | None = None) -> charts.Chart:
    return charts.heatmap(
        slug,
        _("Risks: likelihood × consequence"),
        _(
            "The number of risks in the chosen cycle's reports in each cell of "
            "likelihood and consequence."
        ),
        dict(risks.cells),
        link or (lambda likelihood, consequence: ""),
    )


def risk_aspect_chart(risks: RiskTally, aspects: list[tuple], slug: str) -> charts.Chart:
    """``aspects``: (id, name) of each risk aspect, in order."""
    return charts.stacked_bars(
        slug,
        _("Risks per aspect"),
        _(
            "The risks of each of the plan's four aspects by their score (likelihood × "
            "consequence): low below 8, medium from 8, high from 15, as in the heat map."
        ),
        list(aspects),
        [
            (band, label, charts.RISK_BAND_COLOURS[band])
            for band, label in (("low", _("low")), ("medium", _("medium")), ("high", _("high")))
        ],
        dict(risks.by_aspect),
    )
