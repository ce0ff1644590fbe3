"""Department heads' worklist and the in-place status update and comment forms."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from areas.models import Department, DevelopmentArea
from areas.roles import headed_department_ids, is_head
from areas.selectors import current_plan, plan_tree
from vsplan.http import HtmxHttpRequest, form_target

from . import permissions, services
from .access import get_area_for_user, get_status_area_for_user
from .cycle_selectors import head_cycle
from .forms import CommentForm, StatusUpdateForm
from .models import FollowUpCycle, StatusFields
from .plan_views import area_page_context
from .selectors import attach_status, held_up_by
from .standings import latest_status_by_area, live_standings
from .worklist import CYCLE_FILTERS, FILTERS, Worklist, worklist

STATUS_CHANGED = "statusChanged"


def _next_url(request: HttpRequest, area: DevelopmentArea) -> str:
    """Where a plain (no-JS) form returns to: the page it came from, if it is ours."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return area.get_absolute_url()


@require_GET
@login_required
@vary_on_headers("HX-Request")
def my_areas(request: HtmxHttpRequest) -> HttpResponse:
    """The areas whose responsible or participating department the user heads."""
    plan = current_plan()
    today = timezone.localdate()
    areas = DevelopmentArea.objects.none()
    if plan is not None and is_head(request.user):
        areas = permissions.areas_of_head(request.user, DevelopmentArea.objects.filter(plan=plan))
    tree = plan_tree(areas, plan=plan)
    area_list = [a for block in tree for a in block.all_areas]
    latest = latest_status_by_area(areas)
    attach_status(area_list, latest, today)
    headed = headed_department_ids(request.user)
    # The cycles a head may have their departments' reports of (the open one, and those
    # closed or published, newest first): one query, which also finds the open cycle.
    seen_cycles = (
        list(plan.cycles.exclude(state=FollowUpCycle.State.DRAFT).order_by("-year")) if plan else []
    )
    open_cycle = next((c for c in seen_cycles if c.is_open), None)
    reports = (
        {r.area_id: r for r in open_cycle.reports.filter(area__in=areas.values("pk"))}
        if open_cycle else {}
    )  # fmt: skip
    held = held_up_by(plan) if plan else {}
    editable = permissions.status_updatable(request.user, area_list)
    for area in area_list:
        area.open_report = reports.get(area.pk)
        area.can_edit = area.pk in editable
        area.responsible_here = area.responsible_department_id in headed
        area.held_up_by = held.get(area.pk, [])
    # The live standings (the latest status updates, as on the plan), each with its
    # report in the open cycle: the counts and the rows are the same questions asked.
    standings = live_standings(area_list, as_of=today, latest=latest)
    for standing in standings:
        standing.report = standing.area.open_report
    view = "cards" if request.GET.get("view") == "cards" else "table"
    work = worklist(
        standings, show=request.GET.get("show", "all"), sort=request.GET.get("sort", "key")
    )
    # Above the limit the rows come a page at a time; the counts stay those of all.
    page = None
    rows = work.rows
    if len(standings) > settings.VSPLAN_PLAN_EXPAND_LIMIT:
        page = Paginator(work.rows, settings.VSPLAN_PLAN_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = page.object_list
    page_url = _worklist_url(view, work.show, work.sort, work.descending)
    # The department reports the head may ask for; the form opens on the open cycle.
    report_cycles = seen_cycles if headed else []
    context = {
        "plan": plan,
        "tree": _cards_tree(tree, {s.area.pk for s in rows}) if view == "cards" else [],
        "worklist": work,
        "rows": rows,
        "page": page,
        "page_url": page_url + ("&" if "?" in page_url else "?"),
        "view": view,
        "filters": _filter_links(work, view, open_cycle is not None),
        "columns": _sort_links(work, view, open_cycle),
        "cards_url": _worklist_url("cards", work.show, work.sort, work.descending),
        "table_url": _worklist_url("table", work.show, work.sort, work.descending),
        "all_url": _worklist_url(view, "all", work.sort, work.descending),
        "report_departments": Department.objects.filter(pk__in=headed).order_by("code")
        if report_cycles
        else [],
        "report_cycles": report_cycles,
        "is_head": is_head(request.user),
        "open_cycle": open_cycle,
        "banner": head_cycle(request.user, plan, today) if open_cycle else None,
    }
    # htmx asks again after each save: the cards view refreshes its counts only (the
    # cards hold the forms), the table view its counts and rows.
    if request.htmx:
        template = f"followup/my_areas.html#{'summary' if view == 'cards' else 'worklist'}"
    else:
        template = "followup/my_areas.html"
    return render(request, template, context)


def _worklist_url(view: str, show: str, sort: str, descending: bool) -> str:
    query = {}
    if view != "table":
        query["view"] = view
    if show != "all":
        query["show"] = show
    if sort != "key" or descending:
        query["sort"] = f"-{sort}" if descending else sort
    url = reverse("followup:my_areas")
    return f"{url}?{urlencode(query)}" if query else url


def _filter_links(work: Worklist, view: str, cycle_open: bool) -> list[dict]:
    """The counts, each a link to the areas it counts (those of the cycle only while one
    is open)."""
    return [
        {
            "key": key,
            "label": label,
            "count": work.counts[key],
            "url": _worklist_url(view, key, work.sort, work.descending),
            "active": key == work.show,
        }
        for key, label, _question in FILTERS
        if cycle_open or key not in CYCLE_FILTERS
    ]


def _sort_links(work: Worklist, view: str, open_cycle: FollowUpCycle | None) -> list[dict]:
    """The table's sortable columns: a link that sorts by it (again: the other way)."""
    columns = [
        ("key", _("Key")),
        ("title", _("Development area")),
        ("status", _("Status")),
        ("light", _("Traffic light")),
        ("end", _("Planned end")),
    ]
    if open_cycle is not None:
        columns.append(("report", _("Report for %(cycle)s") % {"cycle": open_cycle.name}))
    columns.append(("updated", _("Updated")))
    result = []
    for key, label in columns:
        current = key == work.sort
        descending = current and not work.descending
        result.append(
            {
                "key": key,
                "label": label,
                "url": _worklist_url(view, work.show, key, descending),
                "aria_sort": ("descending" if work.descending else "ascending") if current else "",
            }
        )
    return result


def _cards_tree(tree, shown: set[int]):
    """The plan tree's blocks with only the areas shown (a filter applies to the cards too)."""
    blocks = []
    for block in tree:
        areas = [a for a in block.all_areas if a.pk in shown]
        if areas:
            blocks.append({"support_area": block.support_area, "all_areas": areas})
    return blocks


@require_http_methods(["GET", "POST"])
@login_required
def area_status(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """Open the status form (GET) or append a status update (POST); in place with HTMX."""
    area = get_status_area_for_user(request, key)
    latest = services.latest_status_update(area)
    # While a cycle is open the status is the area's report in it (one thing to fill in).
    area.open_report = services.open_report_of(area)
    conflict = None
    saved = None
    if request.method == "POST":
        form = StatusUpdateForm(request.POST)
        if form.version_is_tampered:
            return HttpResponseBadRequest(_("The form was altered; reload the page and try again."))
        if form.is_valid():
            try:
                saved = services.status_update_create(
                    area=area,
                    author=request.user,
                    seen_version=form.cleaned_data["version"],
                    **form.status_fields,
                )
            except services.StatusConflict as error:
                conflict = error.latest
                latest = error.latest
                # Keep the author's own text, now checked against the newest version.
                form = StatusUpdateForm({**request.POST.dict(), "version": area.status_version})
                form.is_valid()
                form.add_error(None, str(error.message))
            except services.StatusLocked as error:
                area.open_report = error.report
                form.add_error(None, error.message)
        if saved is not None:
            message = _("Status saved for %(key)s.") % {"key": area.key}
            if not request.htmx:
                messages.success(request, message)
                return redirect(_next_url(request, area))
            attach_status([area], {area.pk: saved}, timezone.localdate())
            response = render(
                request,
                "followup/status_card.html",
                {
                    "area": area,
                    "can_edit": True,
                    "saved_message": message,
                    "focus_edit": True,
                    "next": _next_url(request, area),
                },
            )
            return trigger_client_event(response, STATUS_CHANGED)
    elif request.htmx and "cancel" in request.GET:
        attach_status([area], {area.pk: latest} if latest else {}, timezone.localdate())
        context = {"area": area, "can_edit": True, "next": _next_url(request, area)}
        return render(request, "followup/status_card.html", context)
    else:
        # The form opens with what was said last, to be edited: keeping a red light does
        # not mean typing its reason again.
        initial = {"version": area.status_version}
        if latest is not None:
            initial |= {name: getattr(latest, name) for name in StatusFields.WRITTEN}
        form = StatusUpdateForm(initial=initial)

    attach_status([area], {area.pk: latest} if latest else {}, timezone.localdate())
    context = {
        "area": area,
        "plan": area.plan,
        "form": form,
        "conflict": conflict,
        "can_edit": True,
        "next": _next_url(request, area),
    }
    template = "followup/status_card.html" if request.htmx else "followup/status_page.html"
    return render(request, template, context)


@form_target("followup:area_detail")
@login_required
def area_comment(request: HtmxHttpRequest, key: str) -> HttpResponse:
    area = get_area_for_user(request, key)
    if not permissions.can_comment_on_area(request.user, area):
        raise PermissionDenied(
            _(
                "You tried to comment on %(key)s. The heads of its responsible and participating "
                "departments and the secretariat may comment."
            )
            % {"key": area.key}
        )
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment_create(area=area, author=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Comment saved."))
        return redirect(f"{area.get_absolute_url()}#history-heading")
    # A plain form (no HTMX): the area page again, with the errors at the form.
    return render(request, "followup/area_detail.html", area_page_context(request, area, form))
