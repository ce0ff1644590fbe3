"""The management council's dashboard: where the plan stands, what is late, at risk, waiting."""

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from areas.models import ActionPlan
from vsplan.http import HtmxHttpRequest

from . import charts, permissions, summary
from .access import get_plan_for_user
from .dashboard import (
    Dashboard,
    DashboardFilters,
    build_dashboard,
    dashboard_area_ids,
    dashboard_standings,
    default_cycle,
    dependency_graph,
    focus_choices,
    indicator_trends,
    risks_for,
    top_risks,
)
from .dashboard_forms import SHOW_CHOICES, DashboardFilterForm, DashboardListForm
from .data_generation import data_generation
from .models import FollowUpCycle, FollowUpReport, GoalAssessment, TrafficLight

# A cached copy is keyed on the data's generation, so it is never stale; this only
# bounds how long an unused copy is kept.
CACHE_SECONDS = 24 * 3600
# The highest risks on the dashboard's first screen (all of them: the risks page).
TOP_RISKS = 5


def _get_dashboard_plan(request: HttpRequest) -> ActionPlan:
    plan = get_plan_for_user(request)
    if not permissions.can_view_dashboard(request.user):
        raise PermissionDenied(
            _(
                "You tried to open the dashboard. It is for the management council, the "
                "department heads and the secretariat."
            )
        )
    return plan


def _filters(form: DashboardFilterForm, plan: ActionPlan) -> DashboardFilters:
    """The filters the form's valid fields give (a field in error is left out, and the
    form says so)."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return DashboardFilters(
        support_area=data.get("support_area"),
        department=data.get("department"),
        cycle=data.get("cycle") or default_cycle(plan),
        status=data.get("status", ""),
        traffic_light=data.get("traffic_light", ""),
        aspect=data.get("aspect"),
        focus=data.get("focus", ""),
    )


def _query(params: QueryDict, **changes) -> str:
    """The query string of ``params`` with ``changes`` (None drops a parameter)."""
    query = params.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return query.urlencode()


def may_see_reviews(user, cycle: FollowUpCycle | None) -> bool:
    return cycle is not None and permissions.can_see_reviews(user, cycle)


class DashboardPanels:
    """The dashboard's content, computed on first use: when the template's cached
    fragments are fresh, none of it is computed (nor its queries made)."""

    def __init__(self, request: HttpRequest, plan: ActionPlan) -> None:
        self.request, self.plan = request, plan
        self.today = timezone.localdate()

    @cached_property
    def may_see_reviews(self) -> bool:
        return may_see_reviews(self.request.user, self.filters.cycle)

    @cached_property
    def form(self) -> DashboardFilterForm:
        return DashboardFilterForm(self.request.GET or None, plan=self.plan)

    @cached_property
    def filters(self) -> DashboardFilters:
        return _filters(self.form, self.plan)

    @cached_property
    def context(self) -> dict:
        return panels_context(
            self.plan, self.filters, self.today, self.request.GET, self.may_see_reviews
        )

    @cached_property
    def top_risks(self) -> list:
        """The highest risks the user may read (their text is the reports')."""
        cycle = self.filters.cycle
        if cycle is None:
            return []
        area_ids = dashboard_area_ids(self.plan, self.filters, self.today)
        visible = None
        if not permissions.can_view_cycle_overview(self.request.user):
            visible = permissions.reports_readable_by(self.request.user, cycle.reports.all())
        return top_risks(cycle, area_ids, visible, TOP_RISKS)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The figures at a glance, the filter form and the panels, each a template fragment
    cached while the data is unchanged.

    They show data only (nothing of the user; the forms are GET forms, without a
    CSRF token), so one cached copy serves everyone allowed here who may see as much:
    the keys hold the data's generation (``followup.data_generation``), the query
    string, the language, today's date (lateness depends on it) and whether the user
    may see the reviewers' ratings area by area; the highest risks (what reports say)
    are cached per user who may read only some reports. A cached copy is never older
    than what it shows. Access is checked on every request, before the cache.
    """
    plan = _get_dashboard_plan(request)
    query = urlencode(sorted((k, value) for k, values in request.GET.lists() for value in values))
    panels = DashboardPanels(request, plan)
    user = request.user
    reviews = panels.may_see_reviews
    risk_readers = "all" if permissions.can_view_cycle_overview(user) else f"user-{user.pk}"
    key = [plan.pk, data_generation(), query, timezone.localdate().isoformat()]
    context = {
        "dashboard": panels,
        "cache_key": [*key, "reviews" if reviews else "no-reviews"],
        "risks_cache_key": [*key, risk_readers],
        "cache_seconds": CACHE_SECONDS,
        "may_see_reviews": reviews,
    }
    template = "followup/dashboard.html#panels" if request.htmx else "followup/dashboard.html"
    return render(request, template, context)


@dataclass
class Tile:
    """One figure of the first screen, a link to the list of the areas it counts."""

    show: str  # the list behind it (followup.summary.SHOWS); "" for none
    link: str
    figure: str
    label: str
    note: str = ""
    light: str = ""  # a traffic light's shape beside the figure
    alert: bool = False  # worth a look: drawn stronger


def tiles(board: Dashboard, cycle: FollowUpCycle | None, reviews: bool, link) -> list[Tile]:
    """The first screen's figures; ``link(show)`` gives the address of a figure's list."""

    def tile(show: str, *args, **kwargs) -> Tile:
        return Tile(show, link(show) if show else "", *args, **kwargs)

    total = board.summary.total
    found = []
    if cycle is not None and total.reports:
        found.append(
            tile(
                "handed_in",
                f"{total.completion} %",
                pgettext("dashboard figure", "of the reports handed in"),
                _("%(done)s of %(all)s in %(cycle)s")
                % {"done": total.handed_in, "all": total.reports, "cycle": cycle.name},
            )
        )
    else:
        found.append(
            tile(
                "",
                "–",
                pgettext("dashboard figure", "of the reports handed in"),
                _("No follow-up cycle yet."),
            )
        )
    for light, label in (
        (TrafficLight.RED, pgettext("dashboard figure", "red")),
        (TrafficLight.AMBER, pgettext("dashboard figure", "amber")),
    ):
        count = summary.shown_count(total, light.value)
        found.append(tile(light.value, str(count), label, light=light.value, alert=count > 0))
    found.append(
        tile(
            "late",
            str(total.late),
            pgettext("dashboard figure", "late"),
            _("planned end passed"),
            alert=total.late > 0,
        )
    )
    found.append(
        tile(
            "held_up",
            str(total.held_up),
            pgettext("dashboard figure", "held up"),
            _("by what they wait on"),
            alert=total.held_up > 0,
        )  # fmt: skip
    )
    if cycle is not None:
        found.append(
            tile(
                "not_handed_in",
                str(total.not_handed_in),
                pgettext("dashboard figure", "not handed in"),
                _("of the cycle's reports"),
                alert=total.not_handed_in > 0,
            )  # fmt: skip
        )
    else:
        label = pgettext("dashboard figure", "not reported")
        found.append(tile("not_reported", str(total.not_reported), label, _("no status yet")))
    if reviews:
        found.append(
            tile(
                "disagree",
                str(total.disagree),
                pgettext("dashboard figure", "disagree"),
                _("reviewer and owner rate differently"),
                alert=total.disagree > 0,
            )  # fmt: skip
        )
    return found


def panels_context(
    plan: ActionPlan, filters: DashboardFilters, today, params: QueryDict, reviews: bool
) -> dict:
    board = build_dashboard(plan, filters, today)
    cycle = filters.cycle
    base = _query(params, focus=None)  # the filters, for the graph's form and the lists
    layers, edges, dependency_list = dependency_graph(board.standings, board.held_up, filters.focus)
    cycles, trends = indicator_trends(plan, settings.VSPLAN_MIN_RESPONDENTS)

    def status_link(row, status) -> str:
        return list_link("all", support_area=row.key, status=status)

    def risk_link(likelihood, consequence) -> str:
        return (
            f"/dashboard/risks/?cycle={cycle.year}&likelihood={likelihood}"
            f"&consequence={consequence}"
            f"{'&aspect=' + filters.aspect.code if filters.aspect else ''}"
            f"{'&support_area=' + filters.support_area.code if filters.support_area else ''}"
        )

    def list_link(show: str, **more) -> str:
        return "/dashboard/areas/?" + _query(params, focus=None, show=show, **more)

    assessments = {}
    for a in GoalAssessment.objects.filter(cycle__plan=plan).select_related("goal", "cycle"):
        assessments.setdefault(a.goal, []).append(a)
    dated = [s for group in board.timeline for s in group.dated]
    span = charts.timeline_span(dated, board.as_of) if dated else None
    timeline = [
        {
            "group": group,
            "chart": charts.timeline(
                f"timeline-{group.code}",
                _("Timeline: %(support_area)s") % {"support_area": group.label},
                _(
                    "Each development area's planned period as a bar against today; a solid "
                    "outline is a month, dashed a term or quarter, dotted a year; a faded bar "
                    "has no stated end; a diamond is a revised expected end."
                ),
                group.dated,
                board.as_of,
                span,
            )
            if group.dated
            else None,
        }
        for group in board.timeline
    ]
    short = {
        TrafficLight.GREEN: pgettext("traffic light, short", "Green"),
        TrafficLight.AMBER: pgettext("traffic light, short", "Amber"),
        TrafficLight.RED: pgettext("traffic light, short", "Red"),
    }
    matrix_columns = [(light.value, short[light], light.value) for light in TrafficLight] + [
        ("no_light", pgettext("traffic light, short", "None"), "")
    ]
    matrix = [
        {
            "row": row,
            "cells": [
                (summary.shown_count(row, show), list_link(show, support_area=row.key), light)
                for show, _label, light in matrix_columns
            ],
        }
        for row in board.summary.rows
    ]
    return {
        "plan": plan,
        "filters": filters,
        "board": board,
        "cycle": cycle,
        "base_query": base,
        "show_labels": dict(SHOW_CHOICES),
        "matrix_columns": matrix_columns,
        "matrix": matrix,
        "matrix_total": [
            (summary.shown_count(board.summary.total, show), list_link(show), light)
            for show, _label, light in matrix_columns
        ],
        "list_link": {show: list_link(show) for show in summary.SHOWS},
        "tiles": tiles(board, cycle, reviews, list_link),
        "status_chart": summary.status_chart(board.summary, "status-chart", status_link),
        "upcoming": plan.areas.filter(upcoming=True).count(),
        "light_chart": summary.lights_chart(
            board.summary, "light-chart", lambda light: list_link(light)
        ),
        "timeline": timeline,
        "graph_chart": charts.graph(
            "graph-chart",
            _("Dependencies"),
            _(
                "External dependencies on the left, then the areas that wait on them, then the "
                "areas that wait on those. A thick dashed outline marks an area held up: "
                "something it waits on, directly or through others, is delayed, blocked, "
                "late, red or expected to end after the area was to start."
            ),
            layers,
            edges,
        ),
        "focus_choices": focus_choices(board.standings),
        "dependency_list": dependency_list,
        "held_up_list": [
            (s, board.held_up.get(s.area.pk, [])) for s in board.standings if s.held_up
        ],
        "heatmap_chart": summary.heatmap_chart(board.risks, "risk-chart", risk_link)
        if cycle
        else None,
        "cycles": cycles,
        "trends": trends,
        "assessments": sorted(assessments.items(), key=lambda item: item[0].order),
        "min_respondents": settings.VSPLAN_MIN_RESPONDENTS,
    }


@require_GET
@login_required
def dashboard_areas(request: HttpRequest) -> HttpResponse:
    """The areas behind one of the dashboard's figures, with the dashboard's filters: the
    same standings, asked the same question (``followup.summary.SHOWS``) as the figure
    counts, so the figure and the length of this list are the same number."""
    plan = _get_dashboard_plan(request)
    form = DashboardListForm(request.GET, plan=plan)
    if not form.is_valid():
        return render(
            request,
            "followup/dashboard_areas.html",
            {"form": form, "rows": None, "back": "/dashboard/"},
            status=400,
        )
    filters = _filters(form, plan)
    show = form.cleaned_data["show"]
    if show == "disagree" and not may_see_reviews(request.user, filters.cycle):
        raise PermissionDenied(
            _(
                "You tried to see where reviewers rate otherwise than owners. A cycle's reviews "
                "are for the secretariat and the council until it is published."
            )
        )
    selection = dashboard_standings(plan, filters, timezone.localdate())
    rows = [
        (s, selection.held_up.get(s.area.pk, []))
        for s in selection.standings
        if summary.SHOWS[show](s)
    ]
    choices = form.fields
    return render(
        request,
        "followup/dashboard_areas.html",
        {
            "form": form,
            "filters": filters,
            "title": dict(SHOW_CHOICES)[show],
            "show": show,
            "rows": rows,
            "status_label": dict(choices["status"].choices).get(filters.status, ""),
            "light_label": dict(choices["traffic_light"].choices).get(filters.traffic_light, ""),
            "may_see_reviews": may_see_reviews(request.user, filters.cycle),
            "back": "/dashboard/?" + _query(request.GET, show=None),
        },
    )


@require_GET
@login_required
def dashboard_risks(request: HttpRequest) -> HttpResponse:
    """The risks behind one cell of the heat map (and the same filters)."""
    plan = _get_dashboard_plan(request)
    form = DashboardFilterForm(request.GET or None, plan=plan)
    filters = _filters(form, plan)
    cell = {}
    for name in ("likelihood", "consequence"):
        value = request.GET.get(name, "")
        if value:
            if value not in {"1", "2", "3", "4", "5"}:
                error = _("Likelihood and consequence are whole numbers from 1 to 5.")
                return render(
                    request,
                    "followup/dashboard_risks.html",
                    {"error": error, "filters": filters, "cell": {}, "risks": []},
                    status=400,
                )
            cell[name] = int(value)
    risks = []
    if filters.cycle is not None:
        area_ids = dashboard_area_ids(plan, filters, timezone.localdate())
        risks = risks_for(filters.cycle, area_ids, filters.aspect, **cell)
        # Only the risks of reports whose text the user may read (a head: their
        # departments' and those handed in), by the report page's rule.
        readable = permissions.reports_readable_by(
            request.user, FollowUpReport.objects.filter(cycle=filters.cycle)
        )
        risks = list(risks.filter(report__in=readable.values("pk")))
    return render(
        request,
        "followup/dashboard_risks.html",
        {"risks": risks, "filters": filters, "cell": cell, "form": form},
    )
