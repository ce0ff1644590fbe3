"""The plan as everyone reads it: the whole plan and one development area, with their status.

These pages show the plan (``areas``) together with its follow-up, so they live
in the follow-up's layer.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from areas import permissions as plan_permissions
from areas.models import DevelopmentArea
from areas.roles import is_council, is_head
from areas.search import search_words
from areas.selectors import plan_tree
from vsplan.http import HtmxHttpRequest

from . import permissions
from .access import get_area_for_user, get_plan_for_user
from .forms import CommentForm, PlanPageFilterForm
from .selectors import area_history, attach_status, filter_areas, held_up_by, search_hits
from .standings import latest_status_by_area


@require_GET
@login_required
def start(request: HttpRequest) -> HttpResponse:
    """Where a login lands: a department head's worklist, the council's dashboard,
    everyone else's plan."""
    if is_head(request.user):
        return redirect("followup:my_areas")
    if is_council(request.user) and permissions.can_view_dashboard(request.user):
        return redirect("followup:dashboard")
    return redirect("followup:plan")


@require_GET
@login_required
@vary_on_headers("HX-Request")
def plan(request: HtmxHttpRequest) -> HttpResponse:
    try:
        action_plan = get_plan_for_user(request)
    except Http404:
        # An installation with no plan yet: the secretariat starts it, everyone else waits.
        if plan_permissions.can_revise_plan(request.user):
            return redirect("followup:plan_start")
        return render(request, "followup/plan_empty.html")
    today = timezone.localdate()
    form = PlanPageFilterForm(request.GET or None)
    areas = DevelopmentArea.objects.filter(plan=action_plan)
    words = []
    if form.is_valid():
        areas = filter_areas(areas, user=request.user, as_of=today, **form.cleaned_data)
        words = search_words(form.cleaned_data["q"])
    tree = plan_tree(areas)
    latest = latest_status_by_area(areas)
    found = [a for block in tree for a in block.all_areas]
    attach_status(found, latest, today)
    hits = search_hits(found, words, request.user)
    for area in found:
        area.search_hits = hits.get(area.pk, [])
    context = {
        "words": words,
        "plan": action_plan,
        "form": form,
        "tree": tree,
        "area_count": sum(block.area_count for block in tree),
        "filtered": form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        "may_revise": plan_permissions.can_revise_plan(request.user),
    }
    template = "followup/plan.html#results" if request.htmx else "followup/plan.html"
    return render(request, template, context)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def area_detail(request: HtmxHttpRequest, key: str) -> HttpResponse:
    area = get_area_for_user(request, key)
    context = area_page_context(request, area, CommentForm())
    # After a status update in place, the page's history region re-fetches itself.
    template = "followup/area_detail.html#history" if request.htmx else "followup/area_detail.html"
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
        # The area's own follow-up as a short PDF, of each cycle whose report the user may
        # see (the cycle's newest first; the form opens on the first).
        "pdf_cycles": [r.cycle for r in reports if not r.cycle.is_draft],
        "held_up_by": held_up_by(area.plan).get(area.pk, []),
        "area": area,
        "plan": area.plan,
        "history": history,
        "can_edit": permissions.can_update_status(request.user, area),
        "can_comment": permissions.can_comment_on_area(request.user, area),
        "comment_form": comment_form,
    }
