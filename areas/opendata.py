"""Open data: the plan as CSV and JSON at stable URLs, for the university's data office.

    /data/plan.json   /data/plan.csv     the current plan, every area's plan fields

Filters are the plan page's plan filters in the query string (``support_area``,
``group``, ``department``, ``upcoming``, ``q``); the status filters belong to
the published cycles' data (``followup.opendata``), because a status update is
not published until its cycle is. Names of individuals never appear.

Readable by any signed-in user, and by everyone when ``VSPLAN_PUBLIC_VIEW`` is on.
CSV is UTF-8 with a byte-order mark (Excel reads it right); a cell that a
spreadsheet would run as a formula (``= + - @`` first) gets a leading ``'``, as
OWASP advises; JSON carries the values untouched.
"""

import csv
import io
import json

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vsplan.http import attachment

from . import permissions, selectors
from .excel import plan_rows
from .forms import PlanFilterForm

PLAN_FIELDS = [
    "key", "support_area", "group", "upcoming", "title", "why", "desired_effect",
    "participating_text", "participating", "responsible", "dependencies_text", "depends_on",
    "external", "planned_text", "planned_start", "planned_start_precision", "planned_end",
    "planned_end_precision", "planned_note", "form_of_work", "footnote",
]  # fmt: skip
PLAN_FILTERS = ["support_area", "group", "department", "upcoming", "q"]


def may_read_open_data(user) -> bool:
    return settings.VSPLAN_PUBLIC_VIEW or permissions.can_view_plan(user)


def _csv_cell(value) -> str:
    if isinstance(value, list):
        value = ", ".join(value)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    elif value is None:
        value = ""
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


def data_response(fmt: str, name: str, meta: dict, fields: list[str], rows: list[dict]):
    """The rows as a CSV download or as JSON (``meta`` and the rows)."""
    if fmt == "json":
        body = json.dumps(
            {**meta, "count": len(rows), name: [{f: r[f] for f in fields} for r in rows]},
            cls=DjangoJSONEncoder,
            ensure_ascii=False,
            indent=1,
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(fields)
        for row in rows:
            writer.writerow([_csv_cell(row[f]) for f in fields])
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = attachment(f"vsplan-{name}.csv")
    response["Access-Control-Allow-Origin"] = "*" if settings.VSPLAN_PUBLIC_VIEW else "null"
    return response


def filter_errors(form) -> HttpResponse:
    """A filter that cannot be used is said, not silently dropped: 400 with the reasons."""
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    return HttpResponse(
        json.dumps({"errors": errors}, ensure_ascii=False),
        status=400,
        content_type="application/json; charset=utf-8",
    )


def refuse(request: HttpRequest) -> HttpResponse:
    """Anonymous: to the login page; signed in without the right: 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(
        _("You tried to read the plan's data, but your account may not read the plan.")
    )


@require_GET
def plan_data(request: HttpRequest, fmt: str) -> HttpResponse:
    if not may_read_open_data(request.user):
        return refuse(request)
    plan = selectors.current_plan()
    if plan is None:
        raise Http404("No action plan has been loaded.")
    form = PlanFilterForm({k: v for k, v in request.GET.items() if k in PLAN_FILTERS})
    if not form.is_valid():
        return filter_errors(form)
    filters = {k: v for k, v in form.cleaned_data.items() if k in PLAN_FILTERS and v}
    areas = selectors.filter_plan_areas(plan.areas.all(), **filters)
    meta = {
        "plan": {
            "title": plan.title,
            "organisation": plan.organisation,
            "registration_number": plan.registration_number,
            "revision": plan.revision,
            "document_date": plan.document_date,
            "decision_date": plan.decision_date,
        },
        "generated_at": timezone.now(),
        "filters": {k: str(getattr(v, "code", v)) for k, v in filters.items()},
    }
    return data_response(fmt, "areas", meta, PLAN_FIELDS, plan_rows(areas))
