"""The plan's pages: the whole plan and one development area."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from followup.cycle_selectors import slipping_dependencies
from followup.forms import CommentForm
from followup.selectors import area_history, attach_status, latest_status_by_area

from . import permissions, selectors
from .forms import PlanFilterForm
from .models import ActionPlan, DevelopmentArea


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _get_plan_for_user(request: HttpRequest) -> ActionPlan:
    """The current plan revision, if the user may read it: 403 otherwise, 404 if there is none."""
    if not permissions.can_view_plan(request.user):
        raise PermissionDenied
    plan = selectors.current_plan()
    if plan is None:
        raise Http404("No action plan has been loaded.")
    return plan


def _get_area_for_user(request: HttpRequest, key: str, *, page: bool = True) -> DevelopmentArea:
    """An area of the current plan the user may read, or 404 (``page``: with all it links to)."""
    plan = _get_plan_for_user(request)
    area = selectors.area_for_plan(plan, key, page=page)
    if area is None:
        raise Http404("No such development area.")
    return area


@require_GET
@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where a login lands: a department head's worklist, everyone else's plan."""
    if permissions.is_head(request.user):
        return redirect("followup:my_areas")
    return redirect("areas:plan")


@require_GET
@login_required
@vary_on_headers("HX-Request")
def plan(request: HtmxHttpRequest) -> HttpResponse:
    action_plan = _get_plan_for_user(request)
    today = timezone.localdate()
    form = PlanFilterForm(request.GET or None)
    areas = DevelopmentArea.objects.filter(plan=action_plan)
    if form.is_valid():
        areas = selectors.filter_areas(areas, today=today, **form.cleaned_data)
    tree = selectors.plan_tree(areas)
    latest = latest_status_by_area(areas)
    attach_status([a for block in tree for a in block.all_areas], latest, today)
    context = {
        "plan": action_plan,
        "form": form,
        "tree": tree,
        "area_count": sum(block.area_count for block in tree),
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        "may_revise": permissions.can_revise_plan(request.user),
    }
    template = "areas/plan.html#results" if request.htmx else "areas/plan.html"
    return render(request, template, context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def area_detail(request: HtmxHttpRequest, key: str) -> HttpResponse:
    area = _get_area_for_user(request, key)
    context = area_page_context(request, area, CommentForm())
    # After a status update in place, the page's history region re-fetches itself.
    template = "areas/area_detail.html#history" if request.htmx else "areas/area_detail.html"
    return render(request, template, context)


def area_page_context(request: HttpRequest, area: DevelopmentArea, comment_form) -> dict:
    """What the area page shows; also used to re-show it with a comment's errors."""
    history = area_history(area)
    latest = {area.pk: history.updates[0]} if history.updates else {}
    attach_status([area], latest, timezone.localdate())
    reports = [
        r
        for r in area.reports.select_related("cycle").order_by("-cycle__year")
        if permissions.can_view_report(request.user, r)
    ]
    return {
        "reports": reports,
        "held_by": slipping_dependencies(area.plan).get(area.pk, []),
        "area": area,
        "plan": area.plan,
        "history": history,
        "can_edit": permissions.can_edit_area(request.user, area),
        "can_comment": permissions.can_comment_on_area(request.user, area),
        "comment_form": comment_form,
    }
