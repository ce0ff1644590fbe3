"""The management council's dashboard: where the plan stands, what is late, at risk, waiting."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from areas import permissions
from areas.selectors import current_plan
from areas.views import HtmxHttpRequest

from . import charts
from .cycle_selectors import slipping_dependencies
from .dashboard import (
    DashboardFilters,
    build_dashboard,
    default_cycle,
    dependency_graph,
    filtered_areas,
    indicator_trends,
    risks_for,
)
from .dashboard_forms import DashboardFilterForm
from .models import GoalAssessment, Status, TrafficLight
from .versioning import data_token

_FILTERS, _PANELS = "<!--vsplan:dashboard-filters-->", "<!--vsplan:dashboard-panels-->"


def _check_access(request: HttpRequest):
    if not (permissions.can_view_cycle_overview(request.user) or permissions.is_head(request.user)):
        raise PermissionDenied
    plan = current_plan()
    if plan is None:
        raise Http404("No action plan has been loaded.")
    return plan


def _filters(request: HttpRequest, plan) -> tuple[DashboardFilterForm, DashboardFilters]:
    form = DashboardFilterForm(request.GET or None, plan=plan)
    filters = DashboardFilters(cycle=default_cycle(plan))
    if form.is_valid():
        data = form.cleaned_data
        filters = DashboardFilters(
            support_area=data["support_area"],
            department=data["department"],
            cycle=data["cycle"] or filters.cycle,
            status=data["status"],
            traffic_light=data["traffic_light"],
            aspect=data["aspect"],
        )
    return form, filters


@require_GET
@login_required
@vary_on_headers("HX-Request")
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The filter form and the panels, from the cache while the data is unchanged.

    Both show data only (nothing of the user; the form is a GET form, without a
    CSRF token), so one cached copy serves everyone allowed here. The key holds
    the data's token (followup.versioning), the query string, the language and
    today's date (lateness depends on it), so a cached copy is never older than
    what it shows. Access is checked on every request, before the cache.
    """
    plan = _check_access(request)
    today = timezone.localdate()
    query = urlencode(sorted((k, value) for k, values in request.GET.lists() for value in values))
    key = (
        "dashboard:"
        + hashlib.sha256(
            f"{plan.pk}|{data_token()}|{today}|{get_language()}|{query}".encode()
        ).hexdigest()
    )
    cache = caches["dashboard"]
    cached = cache.get(key)
    if cached is None:
        form, filters = _filters(request, plan)
        context = _panels_context(plan, form, filters, today)
        cached = (
            render_to_string("followup/dashboard.html#filters", {"form": form}).encode(),
            render_to_string("followup/dashboard.html#panels", context).encode(),
        )
        cache.set(key, cached)
    filters_html, panels = cached
    if request.htmx:
        return HttpResponse(panels)
    # The page around them is rendered for this user, with markers where the cached parts
    # go; they are spliced in as bytes (at 7,200 areas the panels are some 3 MB).
    response = render(
        request,
        "followup/dashboard.html",
        {"filters_html": mark_safe(_FILTERS), "panels": mark_safe(_PANELS)},  # noqa: S308
    )
    response.content = response.content.replace(_FILTERS.encode(), filters_html, 1).replace(
        _PANELS.encode(), panels, 1
    )
    return response


def _panels_context(plan, form, filters: DashboardFilters, today) -> dict:
    board = build_dashboard(plan, filters, today)
    areas = [row.area for row in board.timeline + board.undated]
    latest = {row.area.pk: row.latest for row in board.timeline + board.undated if row.latest}
    slipping = slipping_dependencies(plan)
    layers, edges, dependency_list = dependency_graph(areas, latest, slipping)
    cycles, trends = indicator_trends(plan, settings.VSPLAN_MIN_RESPONDENTS)

    sa_param = lambda row: f"support_area={row.support_area.code}"  # noqa: E731
    status_series = [("none", _("not yet reported"), charts.STATUS_COLOURS["none"])] + [
        (s.value, s.label, charts.STATUS_COLOURS[s.value]) for s in Status
    ]
    status_chart = charts.stacked_bars(
        "status-chart",
        _("Status per support area"),
        _("The number of development areas in each support area by their latest reported status."),
        [
            (r.support_area.code, f"{r.support_area.number} {r.support_area.name}")
            for r in board.rows
        ],
        status_series,
        {
            (r.support_area.code, s): r.by_status[s]
            for r in board.rows
            for s, _l, _c in status_series
        },
        {
            (r.support_area.code, s): f"/?{sa_param(r)}&status={s}"
            for r in board.rows
            for s, _l, _c in status_series
        },
    )
    light_series = [(t.value, t.label, charts.LIGHT_COLOURS[t.value]) for t in TrafficLight]
    light_chart = charts.stacked_bars(
        "light-chart",
        _("Traffic lights: owners and reviewers"),
        _(
            "How many areas the owners rate green, amber and red, next to the "
            "secretariat's ratings in the chosen cycle."
        ),
        [("owner", _("Owners' latest status")), ("reviewer", _("Reviewers in the cycle"))],
        light_series,
        {("owner", t): board.total.by_light[t] for t, _l, _c in light_series}
        | {("reviewer", t): board.total.by_reviewer_light[t] for t, _l, _c in light_series},
        {("owner", t): f"/?traffic_light={t}" for t, _l, _c in light_series},
    )
    timeline_chart = charts.timeline(
        "timeline-chart",
        _("Timeline of planned periods"),
        _(
            "Each development area's planned period as a bar against today; a solid outline is "
            "a month, dashed a term or quarter, dotted a year; a faded bar has no stated end; a "
            "diamond is a revised expected end."
        ),
        board.timeline,
        today,
    )
    graph_chart = charts.graph(
        "graph-chart",
        _("Dependencies"),
        _(
            "External dependencies on the left, then the areas that wait on them, then the areas "
            "that wait on those. Red marks what is delayed or blocked and everything downstream."
        ),
        layers,
        edges,
    )
    cycle = filters.cycle
    heatmap_chart = (
        charts.heatmap(
            "risk-chart",
            _("Risks: likelihood × consequence"),
            _(
                "The number of risks in the chosen cycle's reports in each cell of "
                "likelihood and consequence."
            ),
            board.heatmap,
            lambda lk, c: (
                f"/dashboard/risks/?cycle={cycle.year}&likelihood={lk}&consequence={c}"
                f"{'&aspect=' + filters.aspect.code if filters.aspect else ''}"
                f"{'&support_area=' + filters.support_area.code if filters.support_area else ''}"
            ),
        )
        if cycle
        else None
    )
    assessments = {}
    for a in GoalAssessment.objects.filter(cycle__plan=plan).select_related("goal", "cycle"):
        assessments.setdefault(a.goal, []).append(a)
    context = {
        "plan": plan,
        "form": form,
        "filters": filters,
        "board": board,
        "cycle": cycle,
        "status_chart": status_chart,
        "light_chart": light_chart,
        "timeline_chart": timeline_chart,
        "graph_chart": graph_chart,
        "heatmap_chart": heatmap_chart,
        "dependency_list": dependency_list,
        "cycles": cycles,
        "trends": trends,
        "assessments": sorted(assessments.items(), key=lambda item: item[0].order),
        "min_respondents": settings.VSPLAN_MIN_RESPONDENTS,
    }
    return context


@require_GET
@login_required
def dashboard_risks(request: HttpRequest) -> HttpResponse:
    """The risks behind one cell of the heat map (and the same filters)."""
    plan = _check_access(request)
    form, filters = _filters(request, plan)
    cell = {}
    for name in ("likelihood", "consequence"):
        value = request.GET.get(name, "")
        if value:
            if value not in {"1", "2", "3", "4", "5"}:
                return HttpResponse(
                    _("Likelihood and consequence are whole numbers from 1 to 5."), status=400
                )
            cell[name] = int(value)
    risks = []
    if filters.cycle is not None:
        area_ids = list(filtered_areas(plan, filters).values_list("pk", flat=True))
        risks = list(risks_for(filters.cycle, area_ids, filters.aspect, **cell))
    return render(
        request,
        "followup/dashboard_risks.html",
        {"risks": risks, "filters": filters, "cell": cell, "form": form},
    )
