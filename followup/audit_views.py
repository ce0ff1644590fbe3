"""The audit trail for the secretariat: every change, who made it, when, before and after.

It reads three records kept as the changes happen: changes to the plan's fields
(``areas.PlanChange``, including deletions in the admin), the follow-up's own
(``AuditEntry``: cycle steps, report saves and reviews, goals, indicators, PDFs),
and the status updates, which are themselves appended and signed.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from areas.models import DevelopmentArea, PlanChange
from vsplan.forms import Form

from . import permissions
from .models import AuditEntry, ReportState, ReviewDecision, Status, StatusUpdate, TrafficLight

PER_PAGE = 100


class AuditFilterForm(Form):
    area = forms.CharField(label=_("Development area (key)"), max_length=20, required=False)
    user = forms.CharField(label=_("Who (user name)"), max_length=150, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


COLUMNS = ["at", "user_id", "kind", "subject", "field", "before", "after", "area_id"]


def _changes(data: dict):
    """The three records as one list of rows, newest first (a query for the page)."""
    plan = PlanChange.objects.annotate(
        at=F("changed_at"),
        user_id=F("changed_by_id"),
        kind=Value("plan", output_field=CharField()),
        subject=F("object_repr"),
        before=F("old_value"),
        after=F("new_value"),
    )
    followup = AuditEntry.objects.all()
    status = StatusUpdate.objects.annotate(
        at=F("created_at"),
        user_id=F("author_id"),
        kind=Value("status_update", output_field=CharField()),
        subject=Value("", output_field=CharField()),
        field=Value("", output_field=CharField()),
        before=Value("", output_field=CharField()),
        after=Cast(F("status"), CharField()),
    )
    filtered = []
    for records in (plan, followup, status):
        if data.get("area"):
            records = records.filter(
                area_id__in=DevelopmentArea.objects.filter(key=data["area"]).values("pk")
            )
        if data.get("user"):
            records = records.filter(
                user_id__in=User.objects.filter(username=data["user"]).values("pk")
            )
        if data.get("since"):
            records = records.filter(at__date__gte=data["since"])
        if data.get("until"):
            records = records.filter(at__date__lte=data["until"])
        filtered.append(records.values(*COLUMNS).order_by())
    first, *rest = filtered
    return first.union(*rest, all=True).order_by("-at")


# The entries whose value is a code (a report's state, a review's decision, then its
# comment), worded in the reader's language; entries written before hold words, shown as is.
WORDED_WHEN_READ = {
    AuditEntry.Kind.REPORT_SAVED,
    AuditEntry.Kind.REPORT_SUBMITTED,
    AuditEntry.Kind.REPORT_REVIEWED,
}


def _worded(value: str) -> str:
    code, separator, rest = value.partition(": ")
    word = (dict(ReportState.choices) | dict(ReviewDecision.choices)).get(code)
    return f"{word}{separator}{rest}" if word else value


def _labels() -> dict[str, str]:
    return {"plan": _("change to the plan"), "status_update": _("status update")} | {
        kind.value: kind.label for kind in AuditEntry.Kind
    }


@require_GET
@login_required
def audit(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_cycles(request.user):
        raise PermissionDenied(_("You tried to open the audit trail. It is for the secretariat."))
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    page = Paginator(_changes(data), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    users = User.objects.in_bulk({r["user_id"] for r in rows if r["user_id"]})
    areas = DevelopmentArea.objects.in_bulk({r["area_id"] for r in rows if r["area_id"]})
    labels = _labels()
    statuses = dict(Status.choices) | dict(TrafficLight.choices)
    for row in rows:
        row["who"] = users.get(row["user_id"])
        row["area"] = areas.get(row["area_id"])
        row["what"] = labels.get(row["kind"], row["kind"])
        if row["kind"] == "status_update":
            row["after"] = statuses.get(row["after"], row["after"])
        elif row["kind"] in WORDED_WHEN_READ:
            row["after"] = _worded(row["after"])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "followup/audit.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )
