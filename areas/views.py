"""The plan's read-only pages: the whole plan and one development area."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

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


def _get_area_for_user(request: HttpRequest, key: str) -> DevelopmentArea:
    plan = _get_plan_for_user(request)
    area = selectors.area_for_plan(plan, key)
    if area is None:
        raise Http404("No such development area.")
    return area


@require_GET
@login_required
@vary_on_headers("HX-Request")
def plan(request: HtmxHttpRequest) -> HttpResponse:
    action_plan = _get_plan_for_user(request)
    form = PlanFilterForm(request.GET or None)
    areas = DevelopmentArea.objects.filter(plan=action_plan)
    if form.is_valid():
        areas = selectors.filter_areas(
            areas,
            support_area=form.cleaned_data["support_area"],
            department=form.cleaned_data["department"],
            text=form.cleaned_data["q"],
        )
    tree = selectors.plan_tree(areas)
    context = {
        "plan": action_plan,
        "form": form,
        "tree": tree,
        "area_count": sum(block.area_count for block in tree),
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
    }
    template = "areas/plan.html#results" if request.htmx else "areas/plan.html"
    return render(request, template, context)


@require_GET
@login_required
def area_detail(request: HtmxHttpRequest, key: str) -> HttpResponse:
    area = _get_area_for_user(request, key)
    return render(request, "areas/area_detail.html", {"area": area, "plan": area.plan})
