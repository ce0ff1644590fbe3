"""The plan as everyone reads it: the whole plan and one development area, with their status.

These pages show the plan (``areas``) together with its follow-up, so they live
in the follow-up's layer.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from areas import permissions as plan_permissions
from areas.models import DevelopmentArea, SupportArea
from areas.roles import is_council, is_head
from areas.search import search_words
from areas.selectors import SupportAreaBlock, arrange, place
from vsplan.http import HtmxHttpRequest

from . import permissions
from .access import get_area_for_user, get_plan_for_user
from .forms import CommentForm, PlanPageFilterForm
from .models import TrafficLight
from .selectors import (
    SupportAreaCounts,
    area_history,
    attach_status,
    counts_by_support_area,
    filter_areas,
    held_up_by,
    search_hits,
)
from .standings import latest_status_by_area
from .summary import NOT_REPORTED


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


@dataclass
class PlanSection:
    """A support area of a large plan as the plan page shows it: collapsed with its
    counts, or opened on one page of its areas (``block``, ``page``)."""

    support_area: SupportArea
    counts: SupportAreaCounts
    block: SupportAreaBlock | None = None
    page: Page | None = None

    @property
    def count_links(self) -> list[dict]:
        """Each count with the filter that lists what it counts (the plan page's own)."""
        code, counts = self.support_area.code, self.counts
        return [
            {"key": key, "label": label, "count": getattr(counts, key), "query": query}
            for key, label, query in [
                ("red", TrafficLight.RED.label, {"traffic_light": "red"}),
                ("amber", TrafficLight.AMBER.label, {"traffic_light": "amber"}),
                ("green", TrafficLight.GREEN.label, {"traffic_light": "green"}),
                ("not_reported", _("not yet reported"), {"status": NOT_REPORTED}),
                ("late", _("late"), {"late": "on"}),
            ]
            if getattr(counts, key)
            for query in [urlencode({"support_area": code, **query})]
        ]


def _filter_in_place(form) -> None:
    """With htmx, a choice (a select, a checkbox) filters as soon as it changes; the text
    waits for the form's submit (Enter or the button), so a search is one request, not a
    change and a submit. The form's own hx attributes (target, swap, URL) are inherited."""
    for name, field in form.fields.items():
        if name != "q":
            field.widget.attrs |= {
                "data-hx-get": reverse("followup:plan"),
                "data-hx-trigger": "change",
                "data-hx-include": "closest form",
                "data-hx-sync": "closest form:replace",
            }


@require_GET
@login_required
@vary_on_headers("HX-Request")
def plan(request: HtmxHttpRequest) -> HttpResponse:
    """The whole plan, or a filter's matches. Up to ``VSPLAN_PLAN_EXPAND_LIMIT`` areas
    everything is shown; above it the support areas come collapsed with their counts (each
    opens in place, ``?section=CODE``, or as a filter without JS) and a filter's matches
    come a page at a time. With no plan yet the secretariat is sent to start one."""
    try:
        action_plan = get_plan_for_user(request)
    except Http404:
        # An installation with no plan yet: the secretariat starts it, everyone else waits.
        if plan_permissions.can_revise_plan(request.user):
            return redirect("followup:plan_start")
        return render(request, "followup/plan_empty.html")
    today = timezone.localdate()
    form = PlanPageFilterForm(request.GET or None)
    _filter_in_place(form)
    areas = DevelopmentArea.objects.filter(plan=action_plan)
    if request.htmx and "section" in request.GET:
        return _plan_section(request, areas, today)
    words = []
    if form.is_valid():
        areas = filter_areas(areas, user=request.user, as_of=today, **form.cleaned_data)
        words = search_words(form.cleaned_data["q"])
    filtered = form.is_bound and form.is_valid() and any(form.cleaned_data.values())
    limit = settings.VSPLAN_PLAN_EXPAND_LIMIT
    # One more than the limit tells a large plan from one shown whole, in the query that
    # reads the areas of the latter.
    area_list = list(areas.select_related("group", "plan")[: limit + 1])
    page, sections = None, []
    if len(area_list) <= limit:
        area_count = len(area_list)
        latest = latest_status_by_area(areas)
    elif filtered:
        # The matches' ids in one pass (a search reads much text; counting and paging
        # the filter would read it twice), then the page's areas by id.
        matches = list(areas.values_list("pk", flat=True))
        page = Paginator(matches, settings.VSPLAN_PLAN_PAGE_SIZE).get_page(request.GET.get("page"))
        area_list = list(
            DevelopmentArea.objects.filter(pk__in=page.object_list).select_related("group", "plan")
        )
        area_count = len(matches)
        latest = latest_status_by_area([a.pk for a in area_list])
    else:
        counts = counts_by_support_area(areas, today)
        sections = [
            PlanSection(sa, counts[sa.pk])
            for sa in SupportArea.objects.prefetch_related("responsible_departments")
            if sa.pk in counts
        ]
        area_list, area_count, latest = [], sum(c.total for c in counts.values()), {}
    tree = arrange(area_list) if area_list else []
    attach_status(area_list, latest, today)
    hits = search_hits(area_list, words, request.user)
    for area in area_list:
        area.search_hits = hits.get(area.pk, [])
    context = {
        "words": words,
        "plan": action_plan,
        "form": form,
        "tree": tree,
        "sections": sections,
        "page": page,
        "page_query": _query_without_page(request),
        "area_count": area_count,
        "filtered": filtered,
        "may_revise": plan_permissions.can_revise_plan(request.user),
    }
    template = "followup/plan.html#results" if request.htmx else "followup/plan.html"
    return render(request, template, context)


def _plan_section(request: HtmxHttpRequest, areas, today) -> HttpResponse:
    """One support area of a large plan, in place: opened on a page of its areas, or
    collapsed again (``closed``); 404 for a support area the plan does not have."""
    support_area = get_object_or_404(
        SupportArea.objects.prefetch_related("responsible_departments"),
        code=request.GET["section"],
    )
    areas = areas.filter(support_area=support_area)
    counts = counts_by_support_area(areas, today).get(support_area.pk)
    if counts is None:
        raise Http404("The plan has no development area in this support area.")
    section = PlanSection(support_area, counts)
    if "closed" not in request.GET:
        page = Paginator(areas.select_related("group", "plan"), settings.VSPLAN_PLAN_PAGE_SIZE)
        section.page = page.get_page(request.GET.get("page"))
        area_list = list(section.page.object_list)
        attach_status(area_list, latest_status_by_area([a.pk for a in area_list]), today)
        section.block = SupportAreaBlock(support_area)
        for area in area_list:
            place(section.block, area)
    return render(request, "followup/plan.html#section", {"section": section})


def _query_without_page(request: HttpRequest) -> str:
    """The request's query string without ``page``, for the page links to add theirs."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


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
