"""Reads of status and history that pages share, each in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from areas.models import ActionPlan, DevelopmentArea, ExternalDependency, PlanChange
from areas.roles import User
from areas.search import (
    PLAN_TEXT_FIELDS,
    any_contains_word,
    excerpt,
    fold,
    plan_text_matches,
    search_words,
)
from areas.selectors import filter_plan_areas

from . import permissions
from .models import AreaComment, Benefit, FollowUpReport, Risk, StatusUpdate, TrafficLight
from .records import HoldUp
from .standings import areas_with_latest, is_late, late_areas, latest_status_by_area, stale_areas
from .summary import NOT_REPORTED


def filter_areas(
    areas: QuerySet[DevelopmentArea],
    *,
    user: User,
    as_of: date,
    status: str = "",
    traffic_light: str = "",
    late: bool = False,
    stale: bool = False,
    q: str = "",
    **plan_filters,
) -> QuerySet[DevelopmentArea]:
    """Narrow areas the way the plan page's filter form asks: by the plan's own fields
    (``areas.selectors.filter_plan_areas``), by their latest status, and by ``q``, whose
    words must each occur, case aside, in the area's plan text or in what ``user`` may read
    of its follow-up (``text_matches``)."""
    areas = filter_plan_areas(areas, **plan_filters)
    for word in search_words(q):
        areas = areas.filter(text_matches(word, user))
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


# -- search ------------------------------------------------------------------------

# The follow-up's text a search reads, per kind of record (after the plan's own fields).
STATUS_TEXT = ["progress", "next_steps", "traffic_light_reason", "revised_end_text"]
REPORT_TEXT = STATUS_TEXT
RISK_TEXT = ["description", "mitigation", "owner"]
BENEFIT_TEXT = ["evidence"]
COMMENT_TEXT = ["text"]


def _readable_reports(user: User) -> QuerySet[FollowUpReport]:
    return permissions.reports_readable_by(user, FollowUpReport.objects.all())


def text_matches(word: str, user: User) -> Q:
    """Areas with ``word`` (case aside) in their plan text, their status updates and comments
    (which everyone who reads the plan reads), or the text of the reports, risks and
    benefits that ``user`` may read (``permissions.reports_readable_by``: never another
    department's draft)."""
    readable = _readable_reports(user).values("pk")
    return (
        plan_text_matches(word)
        | Exists(
            StatusUpdate.objects.filter(area=OuterRef("pk")).filter(
                any_contains_word(STATUS_TEXT, word)
            )
        )
        | Exists(
            AreaComment.objects.filter(area=OuterRef("pk")).filter(
                any_contains_word(COMMENT_TEXT, word)
            )
        )
        | Exists(
            FollowUpReport.objects.filter(area=OuterRef("pk"), pk__in=readable).filter(
                any_contains_word(REPORT_TEXT, word)
            )
        )
        | Exists(
            Risk.objects.filter(report__area=OuterRef("pk"), report__in=readable).filter(
                any_contains_word(RISK_TEXT, word)
            )
        )
        | Exists(
            Benefit.objects.filter(report__area=OuterRef("pk"), report__in=readable).filter(
                any_contains_word(BENEFIT_TEXT, word)
            )
        )
    )


@dataclass(frozen=True)
class SearchHit:
    """Where a search found one of its words: in what (``where``) and the text around it."""

    where: str
    text: str


def _any_word(fields: list[str], words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition |= any_contains_word(fields, word)
    return condition


def search_hits(
    areas: list[DevelopmentArea], words: list[str], user: User, *, limit: int = 3
) -> dict[int, list[SearchHit]]:
    """For each area, where the words were found beyond its title and planned text (which
    the plan's table shows): the plan's other texts, then its status updates (newest
    first), comments, and the reports, risks and benefits ``user`` may read; at most
    ``limit`` per area. Five queries (status updates, comments, reports, risks, benefits),
    none without words."""
    if not words or not areas:
        return {}
    ids = [a.pk for a in areas]
    hits: dict[int, list[SearchHit]] = defaultdict(list)

    def add(area_id: int, where: str, record, fields: list[str]) -> None:
        for name in fields:
            value = getattr(record, name)
            if value and any(fold(w) in fold(value) for w in words):
                label = capfirst(record._meta.get_field(name).verbose_name)
                hits[area_id].append(SearchHit(f"{where}: {label}", excerpt(value, words)))

    shown_in_table = {"title", "participating_text", "planned_text"}
    for area in areas:
        add(area.pk, str(_("Plan")), area, [f for f in PLAN_TEXT_FIELDS if f not in shown_in_table])
    updates = StatusUpdate.objects.filter(area__in=ids).filter(_any_word(STATUS_TEXT, words))
    for update in updates.order_by("-sequence"):
        where = _("Status update %(date)s") % {"date": date_format(localtime(update.created_at))}
        add(update.area_id, where, update, STATUS_TEXT)
    comments = AreaComment.objects.filter(area__in=ids).filter(_any_word(COMMENT_TEXT, words))
    for comment in comments:
        where = _("Comment %(date)s") % {"date": date_format(localtime(comment.created_at))}
        add(comment.area_id, where, comment, COMMENT_TEXT)
    readable = _readable_reports(user).filter(area__in=ids)
    for report in readable.filter(_any_word(REPORT_TEXT, words)).select_related("cycle"):
        add(report.area_id, str(report.cycle), report, REPORT_TEXT)
    risks = Risk.objects.filter(report__in=readable.values("pk")).filter(
        _any_word(RISK_TEXT, words)
    )
    for risk in risks.select_related("report__cycle"):
        where = _("Risk, %(cycle)s") % {"cycle": risk.report.cycle}
        add(risk.report.area_id, where, risk, RISK_TEXT)
    benefits = Benefit.objects.filter(report__in=readable.values("pk")).filter(
        _any_word(BENEFIT_TEXT, words)
    )
    for benefit in benefits.select_related("report__cycle"):
        where = _("Benefits, %(cycle)s") % {"cycle": benefit.report.cycle}
        add(benefit.report.area_id, where, benefit, BENEFIT_TEXT)
    return {area_id: found[:limit] for area_id, found in hits.items()}


@dataclass
class SupportAreaCounts:
    """A support area's areas counted without reading them: in all, by the latest status
    update's traffic light, not yet reported, and late (as the plan page's filters count)."""

    total: int = 0
    red: int = 0
    amber: int = 0
    green: int = 0
    not_reported: int = 0
    late: int = 0


def counts_by_support_area(
    areas: QuerySet[DevelopmentArea], as_of: date
) -> dict[int, SupportAreaCounts]:
    """``SupportAreaCounts`` of ``areas``, keyed by support area id: three queries (the
    areas, their latest status updates' lights, the late areas), each one aggregate."""
    counts: dict[int, SupportAreaCounts] = defaultdict(SupportAreaCounts)
    for row in (
        areas.order_by()
        .values("support_area")
        .annotate(total=Count("pk"), not_reported=Count("pk", filter=Q(status_version=0)))
    ):
        counts[row["support_area"]].total = row["total"]
        counts[row["support_area"]].not_reported = row["not_reported"]
    lights = (
        StatusUpdate.objects.latest_per_area()
        .filter(area__in=areas.values("pk"))
        .order_by()
        .values("area__support_area", "traffic_light")
        .annotate(n=Count("pk"))
    )
    for row in lights:
        if row["traffic_light"] in TrafficLight.values:
            setattr(counts[row["area__support_area"]], row["traffic_light"], row["n"])
    late = late_areas(areas, as_of).order_by().values("support_area").annotate(n=Count("pk"))
    for row in late:
        counts[row["support_area"]].late = row["n"]
    return dict(counts)


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


def _area_reasons(status, as_of: date, planned_end, dependant_start) -> list[tuple[str, ...]]:
    """Why an area holds up one that depends on it, as codes (none: it does not); see
    ``records.HoldUp``."""
    reasons = []
    if is_late(planned_end, status, as_of):
        reasons.append(("late",))
    if status is not None and not status.is_over:
        if status.traffic_light == TrafficLight.RED:
            reasons.append(("red",))
        revised = status.revised_end
        if revised and dependant_start and revised > dependant_start:
            reasons.append(("ends", revised.isoformat(), status.revised_end_precision))
    return reasons


def held_up_by(plan: ActionPlan, *, as_of: date | None = None) -> dict[int, list[HoldUp]]:
    """The areas held up, directly or through other areas, by what they depend on: external
    dependencies that are delayed or blocked, and areas that are late, red, or revised to
    end after the dependant's planned start (judged at ``as_of``, default today).

    Maps each held-up area's id to what holds it up, at the root. Three queries at most
    (the links to slipping external dependencies, the links between areas, the latest
    status of the areas on either end), then a walk over the dependency graph in memory,
    with no recursion, so a chain of any length is walked. An area whose work is over
    (finished or cancelled) waits on nothing: it is not held up, and passes nothing on.
    """
    as_of = as_of or timezone.localdate()
    external = list(
        DevelopmentArea.external_dependencies.through.objects.filter(developmentarea__plan=plan)
        .exclude(externaldependency__state=ExternalDependency.State.ON_TRACK)
        .select_related("externaldependency")
    )
    links = list(
        DevelopmentArea.depends_on.through.objects.filter(
            from_developmentarea__plan=plan, to_developmentarea__plan=plan
        ).values(
            "from_developmentarea_id",
            "from_developmentarea__planned_start",
            "to_developmentarea_id",
            "to_developmentarea__key",
            "to_developmentarea__title",
            "to_developmentarea__planned_end",
        )
    )
    if not external and not links:
        return {}
    involved = {link.developmentarea_id for link in external}
    for link in links:
        involved |= {link["from_developmentarea_id"], link["to_developmentarea_id"]}
    latest = latest_status_by_area(involved)
    over = {pk for pk, status in latest.items() if status.is_over}
    direct: dict[int, set[HoldUp]] = defaultdict(set)
    dependents: dict[int, set[int]] = defaultdict(set)  # area -> areas that depend on it
    for link in links:
        waiting, needed = link["from_developmentarea_id"], link["to_developmentarea_id"]
        dependents[needed].add(waiting)
        reasons = _area_reasons(
            latest.get(needed),
            as_of,
            link["to_developmentarea__planned_end"],
            link["from_developmentarea__planned_start"],
        )
        if reasons:
            key = link["to_developmentarea__key"]
            name = f"{key} {link['to_developmentarea__title']}"
            direct[waiting].add(HoldUp(key, name, tuple(reasons)))
    for link in external:
        dependency = link.externaldependency
        direct[link.developmentarea_id].add(
            HoldUp(dependency.code, dependency.name, (("state", dependency.state),))
        )
    held: dict[int, set[HoldUp]] = defaultdict(set)
    for area_id, causes in direct.items():
        stack, seen = [area_id], set()
        while stack:
            current = stack.pop()
            if current in seen or current in over:
                continue
            seen.add(current)
            held[current] |= causes
            stack.extend(dependents[current])
    return {area_id: sorted(causes, key=lambda c: c.name) for area_id, causes in held.items()}


def mark_held_up(standings: list, plan: ActionPlan, cycle, as_of: date) -> dict[int, list[HoldUp]]:
    """Set each standing's ``held_up``, and return what holds each area up (by area id):
    a frozen cycle's records say what held them up when it closed (no query); otherwise
    ``held_up_by`` judges the plan at ``as_of``."""
    if cycle is not None and cycle.is_frozen:
        held = {s.area.pk: s.area.held_up_by for s in standings if s.area.held_up_by}
    else:
        held = held_up_by(plan, as_of=as_of)
    for standing in standings:
        standing.held_up = standing.area.pk in held
    return held
