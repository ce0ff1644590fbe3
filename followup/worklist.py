"""My areas: a department head's worklist, filtered and sorted.

Each filter is one question asked of one area's standing; its count is the number
of areas that answer yes, so a count on the page and the list it opens always agree.
The plan-wide questions (red, late, not yet reported) are the dashboard's own
(``summary.SHOWS``); the head's own are whose report is in their hands and which
came back.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from .models import ReportState, Status, TrafficLight
from .standings import Standing
from .summary import SHOWS


def _to_report(s: Standing) -> bool:
    """Its report in the open cycle is the head's to fill in (not started, draft, returned)."""
    return bool(s.area.can_edit and s.report is not None and s.report.is_editable)


def _returned(s: Standing) -> bool:
    """Its report came back to the head, who may report it (not an area the department only
    takes part in: that one is its responsible head's)."""
    return bool(s.area.can_edit and s.report is not None and s.report.is_returned)


# (key, label, question), in the order the filters are offered.
FILTERS: list[tuple[str, object, Callable[[Standing], bool]]] = [
    ("all", _("areas"), SHOWS["all"]),
    ("to_report", _("yours to report"), _to_report),
    ("returned", _("returned to you"), _returned),
    ("not_reported", _("not yet reported"), SHOWS["not_reported"]),
    ("red", TrafficLight.RED.label, SHOWS["red"]),
    ("amber", TrafficLight.AMBER.label, SHOWS["amber"]),
    ("green", TrafficLight.GREEN.label, SHOWS["green"]),
    ("late", _("late"), SHOWS["late"]),
]
# The filters about the open cycle's reports, offered only while one is open.
CYCLE_FILTERS = {"to_report", "returned"}
FILTER_KEYS = [key for key, _label, _question in FILTERS]

# Most urgent first when sorted ascending: red before amber before green, nothing said last.
_LIGHT_ORDER = {TrafficLight.RED: 0, TrafficLight.AMBER: 1, TrafficLight.GREEN: 2}
_STATUS_ORDER = {value: i for i, value in enumerate(Status.values)}
# The head's work first: returned, not started, draft, then what is handed in.
_REPORT_ORDER = {
    ReportState.RETURNED: 0,
    ReportState.NOT_STARTED: 1,
    ReportState.DRAFT: 2,
    ReportState.SUBMITTED: 3,
    ReportState.APPROVED: 4,
}


def _plan_position(s: Standing) -> int:
    return s.area.worklist_position


def _by_light(s: Standing) -> tuple:
    return (not s.traffic_light, _LIGHT_ORDER.get(s.traffic_light, 9), _plan_position(s))


def _by_end(s: Standing) -> tuple:
    return (s.area.planned_end is None, s.area.planned_end or date.min, _plan_position(s))


def _by_report(s: Standing) -> tuple:
    state = _REPORT_ORDER.get(s.report.state, 9) if s.report else 9
    return (s.report is None, state, _plan_position(s))


def _by_updated(s: Standing) -> tuple:
    stated = s.stated_at.timestamp() if s.stated_at else 0
    return (s.stated_at is None, stated, _plan_position(s))


# Each sort key gives a tuple whose first item sends the areas without a value last.
SORTS: dict[str, Callable[[Standing], tuple]] = {
    "key": lambda s: (False, _plan_position(s)),
    "title": lambda s: (False, s.area.title.casefold(), _plan_position(s)),
    "status": lambda s: (not s.status, _STATUS_ORDER.get(s.status, 99), _plan_position(s)),
    "light": _by_light,
    "end": _by_end,
    "report": _by_report,
    "updated": _by_updated,
}


@dataclass
class Worklist:
    """The rows shown, the count of every filter (over all the head's areas), and how
    the rows are filtered and sorted."""

    rows: list[Standing]
    counts: dict[str, int]
    show: str
    sort: str
    descending: bool
    total: int


def worklist(standings: list[Standing], *, show: str = "all", sort: str = "key") -> Worklist:
    """Filter and sort the head's areas; unknown values fall back to all, in plan order.

    ``standings`` come in plan order; each area carries ``can_edit`` and, for sorting by
    plan order, gets ``worklist_position``.
    """
    for position, standing in enumerate(standings):
        standing.area.worklist_position = position
    questions = {key: question for key, _label, question in FILTERS}
    counts = {key: sum(1 for s in standings if q(s)) for key, q in questions.items()}
    if show not in questions:
        show = "all"
    descending = sort.startswith("-")
    sort = sort.removeprefix("-")
    if sort not in SORTS:
        sort, descending = "key", False
    rows = [s for s in standings if questions[show](s)]
    key = SORTS[sort]
    # Areas without the value sorted on (no status, no end date) come last either way.
    present = sorted((s for s in rows if not key(s)[0]), key=key, reverse=descending)
    rows = present + sorted((s for s in rows if key(s)[0]), key=key)
    return Worklist(
        rows=rows, counts=counts, show=show, sort=sort, descending=descending, total=len(standings)
    )
