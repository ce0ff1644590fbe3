"""Published follow-up as open data, and the public view of the plan.

    /data/status.json   /data/status.csv     a published cycle's status per area
                                             (``?cycle=2025``; default: the latest published)
    /public/                                 the plan with the latest published status
    /public/cycles/2025/                     one published cycle

Only published cycles appear; drafts, open and closed cycles never do. The
fields are the report's own, frozen at closing: status, the owner's and the
reviewer's traffic lights, the owner's reason, progress, next steps and revised
end. Never the reviewer's reasons or comments, and never who wrote or reviewed.

The public pages exist only when ``VSPLAN_PUBLIC_VIEW`` is on (404 otherwise);
the data needs a login unless it is on.
"""

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from areas.forms import department_filter, support_area_filter
from areas.opendata import data_response, filter_errors, may_read_open_data, refuse
from areas.selectors import current_plan, plan_tree
from vsplan.forms import Form

from .cycle_selectors import cycle_reports
from .forms import status_filter, traffic_light_filter
from .models import FollowUpCycle, FollowUpReport, Status, TrafficLight
from .summary import NOT_REPORTED

STATUS_FIELDS = [
    "key", "title", "support_area", "responsible", "status", "traffic_light",
    "traffic_light_reason", "reviewer_light", "progress", "next_steps", "revised_end_text",
    "revised_end", "revised_end_precision", "state",
]  # fmt: skip


class StatusDataFilterForm(Form):
    cycle = forms.IntegerField(label=_("Cycle"), required=False, min_value=2000, max_value=2100)
    support_area = support_area_filter()
    department = department_filter()
    status = status_filter()
    traffic_light = traffic_light_filter()


def published_cycles(plan):
    return FollowUpCycle.objects.filter(plan=plan, state=FollowUpCycle.State.PUBLISHED)


# What a handed-in report publishes of itself (never the reviewer's reasons or comments).
REPORTED_FIELDS = [
    "status",
    "traffic_light",
    "traffic_light_reason",
    "reviewer_light",
    "progress",
    "next_steps",
    "revised_end_text",
    "revised_end_precision",
]


def published_rows(cycle: FollowUpCycle, **filters) -> list[dict]:
    """Each report of a published cycle, as published: the area as frozen at closing, and
    what was handed in (a report never submitted is "not reported", without its text).
    One query."""
    reports = cycle_reports(
        cycle,
        support_area=filters["support_area"].code if filters.get("support_area") else "",
        department=filters["department"].code if filters.get("department") else "",
    )
    rows = []
    for report in reports:
        area = report.area_record
        responsible = area.responsible_department
        handed_in = report.is_handed_in
        row = {
            "key": area.key,
            "title": area.title,
            "support_area": area.support_area.code,
            "responsible": responsible.code if responsible else "",
            "state": report.state if handed_in else "not_reported",
        }
        for name in REPORTED_FIELDS:
            row[name] = getattr(report, name) if handed_in else ""
        row["revised_end"] = report.revised_end if handed_in else None
        rows.append(row)
    if filters.get("status"):
        rows = [r for r in rows if (r["status"] or NOT_REPORTED) == filters["status"]]
    if filters.get("traffic_light"):
        rows = [r for r in rows if r["traffic_light"] == filters["traffic_light"]]
    return rows


@require_GET
def status_data(request: HttpRequest, fmt: str) -> HttpResponse:
    if not may_read_open_data(request.user):
        return refuse(request)
    plan = current_plan()
    form = StatusDataFilterForm(request.GET)
    if plan is None:
        raise Http404("No action plan has been loaded.")
    if not form.is_valid():
        return filter_errors(form)
    filters = {k: v for k, v in form.cleaned_data.items() if v}
    cycles = published_cycles(plan).order_by("-year")
    cycle = (
        cycles.filter(year=filters.pop("cycle")).first() if "cycle" in filters else cycles.first()
    )
    if cycle is None:
        raise Http404("No such published cycle.")
    meta = {
        "cycle": {"year": cycle.year, "name": cycle.name, "published_at": cycle.published_at},
        "published_cycles": [c.year for c in cycles],
        "generated_at": timezone.now(),
        "filters": {k: str(getattr(v, "code", v)) for k, v in filters.items()},
    }
    return data_response(fmt, "reports", meta, STATUS_FIELDS, published_rows(cycle, **filters))


def _public_or_404() -> None:
    if not settings.VSPLAN_PUBLIC_VIEW:
        raise Http404("The public view is not enabled.")


@require_GET
def public_plan(request: HttpRequest) -> HttpResponse:
    """The plan for everyone, with the status of the latest published cycle."""
    _public_or_404()
    plan = current_plan()
    if plan is None:
        raise Http404("No action plan has been loaded.")
    cycles = list(published_cycles(plan).order_by("-year"))
    latest = cycles[0] if cycles else None
    published = {}
    if latest is not None:
        # Only what was handed in is published; the rest shows as not reported.
        published = {
            r.area_id: r for r in FollowUpReport.objects.filter(cycle=latest).handed_in().only(
                "area_id", "status", "traffic_light", "frozen_area", "cycle_id", "state"
            )
        }  # fmt: skip
    tree = plan_tree(plan.areas.all())
    for block in tree:
        for area in block.all_areas:
            area.published = published.get(area.pk)
    return render(
        request,
        "followup/public_plan.html",
        {"plan": plan, "tree": tree, "cycles": cycles, "latest": latest},
    )


@require_GET
def public_cycle(request: HttpRequest, year: int) -> HttpResponse:
    _public_or_404()
    plan = current_plan()
    cycle = get_object_or_404(published_cycles(plan), year=year)
    rows = published_rows(cycle)
    statuses, lights = dict(Status.choices), dict(TrafficLight.choices)
    for row in rows:
        row["status_label"] = statuses.get(row["status"], "") or _("not reported")
        row["traffic_light_label"] = lights.get(row["traffic_light"], "")
    return render(
        request, "followup/public_cycle.html", {"plan": plan, "cycle": cycle, "rows": rows}
    )
