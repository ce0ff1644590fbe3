"""The management council's dashboard: where the plan stands, what is late, at risk, waiting."""

from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from areas.models import ActionPlan
from vsplan.http import HtmxHttpRequest

from . import permissions, summary
from .access import get_plan_for_user
from .charts import graph as graph_chart
from .charts import timeline as timeline_chart
from .dashboard import (
    DashboardFilters,
    build_dashboard,
    dashboard_area_ids,
    default_cycle,
    dependency_graph,
    indicator_trends,
    risks_for,
)
from .dashboard_forms import DashboardFilterForm
from .data_generation import data_generation
from .models import FollowUpReport, GoalAssessment
from .selectors import held_up_by

# A cached copy is keyed on the data's generation, so it is never stale; this only
# bounds how long an unused copy is kept.
CACHE_SECONDS = 24 * 3600


def _get_dashboard_plan(request: HttpRequest) -> ActionPlan:
    plan = get_plan_for_user(request)
    if not permissions.can_view_dashboard(request.user):
        raise PermissionDenied
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


class DashboardPanels:
    """The dashboard's content, computed on first use: when the template's cached
    fragments are fresh, none of it is computed (nor its queries made)."""

    def __init__(self, request: HttpRequest, plan: ActionPlan) -> None:
        self.request, self.plan = request, plan
        self.today = timezone.localdate()

    @cached_property
    def _form_and_filters(self):
        return _filters(self.request, self.plan)

    @cached_property
    def form(self) -> DashboardFilterForm:
        return self._form_and_filters[0]

    @cached_property
    def filters(self) -> DashboardFilters:
        return self._form_and_filters[1]

    @cached_property
    def context(self) -> dict:
        return panels_context(self.plan, self.filters, self.today)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The filter form and the panels, each a template fragment cached while the data is
    unchanged.

    Both show data only (nothing of the user; the form is a GET form, without a
    CSRF token), so one cached copy serves everyone allowed here. The fragments'
    keys hold the data's generation (``followup.data_generation``), the query
    string, the language and today's date (lateness depends on it), so a cached
    copy is never older than what it shows. Access is checked on every request,
    before the cache.
    """
    plan = _get_dashboard_plan(request)
    query = urlencode(sorted((k, value) for k, values in request.GET.lists() for value in values))
    context = {
        "dashboard": DashboardPanels(request, plan),
        "cache_key": [plan.pk, data_generation(), query, timezone.localdate().isoformat()],
        "cache_seconds": CACHE_SECONDS,
    }
    template = "followup/dashboard.html#panels" if request.htmx else "followup/dashboard.html"
    return render(request, template, context)


def panels_context(plan: ActionPlan, filters: DashboardFilters, today) -> dict:
    board = build_dashboard(plan, filters, today)
    cycle = filters.cycle
    shown = board.timeline + board.undated
    if cycle is not None and cycle.is_frozen:  # what held the areas up when it closed
        held = {s.area.pk: s.area.held_up_by for s in shown if s.area.held_up_by}
    else:
        held = held_up_by(plan)
    layers, edges, dependency_list = dependency_graph(shown, held)
    cycles, trends = indicator_trends(plan, settings.VSPLAN_MIN_RESPONDENTS)

    def status_link(row, status) -> str:
        if cycle is not None:  # the cycle's reports, where these counts come from
            return f"/cycles/{cycle.year}/?support_area={row.key}#grid"
        return f"/?support_area={row.key}&status={status}"

    def risk_link(likelihood, consequence) -> str:
        return (
            f"/dashboard/risks/?cycle={cycle.year}&likelihood={likelihood}"
            f"&consequence={consequence}"
            f"{'&aspect=' + filters.aspect.code if filters.aspect else ''}"
            f"{'&support_area=' + filters.support_area.code if filters.support_area else ''}"
        )

    assessments = {}
    for a in GoalAssessment.objects.filter(cycle__plan=plan).select_related("goal", "cycle"):
        assessments.setdefault(a.goal, []).append(a)
    return {
        "plan": plan,
        "filters": filters,
        "board": board,
        "cycle": cycle,
        "status_chart": summary.status_chart(board.summary, "status-chart", status_link),
        "upcoming": plan.areas.filter(upcoming=True).count(),
        "light_chart": summary.lights_chart(
            board.summary, "light-chart", lambda light: f"/?traffic_light={light}"
        ),
        "timeline_chart": timeline_chart(
            "timeline-chart",
            _("Timeline of planned periods"),
            _(
                "Each development area's planned period as a bar against today; a solid "
                "outline is a month, dashed a term or quarter, dotted a year; a faded bar has "
                "no stated end; a diamond is a revised expected end."
            ),
            board.timeline,
            board.as_of,
        ),
        "graph_chart": graph_chart(
            "graph-chart",
            _("Dependencies"),
            _(
                "External dependencies on the left, then the areas that wait on them, then the "
                "areas that wait on those. Red marks what is delayed or blocked and everything "
                "downstream."
            ),
            layers,
            edges,
        ),
        "heatmap_chart": summary.heatmap_chart(board.risks, "risk-chart", risk_link)
        if cycle
        else None,
        "dependency_list": dependency_list,
        "cycles": cycles,
        "trends": trends,
        "assessments": sorted(assessments.items(), key=lambda item: item[0].order),
        "min_respondents": settings.VSPLAN_MIN_RESPONDENTS,
    }


@require_GET
@login_required
def dashboard_risks(request: HttpRequest) -> HttpResponse:
    """The risks behind one cell of the heat map (and the same filters)."""
    plan = _get_dashboard_plan(request)
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
        area_ids = dashboard_area_ids(plan, filters, timezone.localdate())
        risks = risks_for(filters.cycle, area_ids, filters.aspect, **cell)
        # Only the risks of reports whose text the user may read (a head: their
        # departments' and those handed in and published), by the report page's rule.
        visible = permissions.reports_readable_by(
            request.user, FollowUpReport.objects.filter(cycle=filters.cycle)
        )
        risks = list(risks.filter(report__in=visible.values("pk")))
    return render(
        request,
        "followup/dashboard_risks.html",
        {"risks": risks, "filters": filters, "cell": cell, "form": form},
    )
