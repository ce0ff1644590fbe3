"""The plan in Excel: export with each area's status (anyone who reads the plan), import of
a revised plan (the secretariat), and the plan's revisions, earlier ones read from their
snapshot."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from areas import permissions as plan_permissions
from areas.excel import XLSX_CONTENT_TYPE, ImportRejected, Message, export_filename, read_workbook
from areas.forms import PlanUploadForm, RevisionForm
from areas.models import ActionPlan, PlanImport, SupportArea
from areas.revisions import (
    ChangeSetChanged,
    RevisionError,
    build_change_set,
    plan_start,
    start_change_set,
    start_values,
)
from areas.selectors import current_plan
from areas.services import plan_import_create
from areas.starter import StartData, read_start_workbook, write_empty_workbook
from vsplan.http import attachment

from . import services
from .access import get_plan_for_user
from .forms import PlanPageFilterForm
from .selectors import filter_areas
from .workbook import STATUS_COLUMNS, export_workbook, read_only_edits, write_snapshot_workbook


def _xlsx_response(plan: ActionPlan, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = export_filename(plan, timezone.localdate())
    response["Content-Disposition"] = attachment(filename)
    return response


def _describe_filters(form: PlanPageFilterForm) -> str:
    parts = []
    for name, value in form.cleaned_data.items():
        if not value:
            continue
        bound = form[name]
        if value is True:
            parts.append(str(bound.label))
        elif hasattr(bound.field, "choices") and not hasattr(bound.field, "queryset"):
            parts.append(f"{bound.label}: {dict(bound.field.choices).get(value, value)}")
        else:
            parts.append(f"{bound.label}: {value}")
    return "; ".join(parts)


@require_GET
@login_required
def plan_export(request: HttpRequest) -> HttpResponse:
    """The current plan as a workbook, narrowed by the plan page's filters if given."""
    plan = get_plan_for_user(request)
    today = timezone.localdate()
    form = PlanPageFilterForm(request.GET or None)
    areas = plan.areas.all()
    filters = ""
    if form.is_valid() and any(form.cleaned_data.values()):
        areas = filter_areas(areas, user=request.user, as_of=today, **form.cleaned_data)
        filters = _describe_filters(form)
    buffer = io.BytesIO()
    export_workbook(buffer, plan, areas, as_of=today, filters=filters)
    return _xlsx_response(plan, buffer.getvalue())


def _get_revision(request: HttpRequest, pk: int) -> ActionPlan:
    if not plan_permissions.can_view_plan(request.user):
        raise PermissionDenied(
            _(
                "You tried to read the action plan, but your account may not read it. Ask the "
                "administrator for access."
            )
        )
    return get_object_or_404(ActionPlan, pk=pk)


def _snapshot_rows(plan: ActionPlan) -> list[dict]:
    if plan.snapshot is None:
        raise Http404("This revision kept no snapshot.")
    return plan.snapshot["rows"]


_IMPORT_REFUSAL = gettext_lazy(
    "You tried to import a revised plan. Only the secretariat revises the plan."
)


@require_GET
@login_required
def revisions(request: HttpRequest) -> HttpResponse:
    if not plan_permissions.can_view_plan(request.user):
        raise PermissionDenied(
            _(
                "You tried to read the action plan, but your account may not read it. Ask the "
                "administrator for access."
            )
        )
    plans = ActionPlan.objects.select_related("created_by").order_by("-pk")
    return render(
        request,
        "followup/revisions.html",
        {"revisions": plans, "may_revise": plan_permissions.can_revise_plan(request.user)},
    )


@require_GET
@login_required
def revision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_revision(request, pk)
    if plan.is_current:
        return redirect("followup:plan")
    rows = _snapshot_rows(plan)
    sections = []
    for support_area in SupportArea.objects.all():
        own = [r for r in rows if r["support_area"] == support_area.code]
        if own:
            sections.append((support_area, own))
    return render(
        request,
        "followup/revision_detail.html",
        {
            "revision": plan,
            "sections": sections,
            "area_count": len(rows),
            "superseded_at": plan.snapshot.get("superseded_at", "")[:10],
        },  # fmt: skip
    )


@require_GET
@login_required
def revision_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_revision(request, pk)
    buffer = io.BytesIO()
    if plan.is_current:
        export_workbook(buffer, plan, plan.areas.all(), as_of=timezone.localdate())
    else:
        write_snapshot_workbook(buffer, plan, _snapshot_rows(plan))
    return _xlsx_response(plan, buffer.getvalue())


@require_http_methods(["GET", "POST"])
@login_required
def plan_import(request: HttpRequest) -> HttpResponse:
    """Upload a revised plan; nothing changes until its change set is reviewed and applied."""
    if not plan_permissions.can_revise_plan(request.user):
        raise PermissionDenied(_IMPORT_REFUSAL)
    try:
        plan = get_plan_for_user(request)
    except Http404:  # no plan yet: it is started, not revised
        return redirect("followup:plan_start")
    rejected = ""
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            result = read_workbook(upload.read(), read_only_columns=STATUS_COLUMNS)
        except ImportRejected as error:
            rejected = str(error)
        else:
            result.warnings.extend(read_only_edits(result, plan, as_of=timezone.localdate()))
            plan_import = plan_import_create(
                user=request.user, plan=plan, filename=upload.name, result=result
            )
            return redirect("followup:plan_import_review", pk=plan_import.pk)
    imports = PlanImport.objects.filter(uploaded_by=request.user).select_related("applied_as")[:10]
    return render(
        request,
        "followup/plan_import.html",
        {
            "form": form,
            "rejected": rejected,
            "plan": plan,
            "imports": imports,
            "export_url": reverse("followup:plan_export"),
            "blocking_cycle": services.cycle_blocking_revision(plan),
        },  # fmt: skip
    )


@require_http_methods(["GET", "POST"])
@login_required
def plan_import_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The change set of an upload, and applying it as a new revision."""
    if not plan_permissions.can_revise_plan(request.user):
        raise PermissionDenied(_IMPORT_REFUSAL)
    plan_import = get_object_or_404(PlanImport.objects.select_related("applied_as"), pk=pk)
    if not plan_permissions.can_view_plan_import(request.user, plan_import):
        raise PermissionDenied(
            _(
                "You tried to open a revised plan that someone else uploaded. An upload is its "
                "uploader's until it is applied."
            )
        )
    if plan_import.start is not None:
        return _start_review(request, plan_import)
    plan = get_plan_for_user(request)
    read_messages = (
        [Message(**m) for m in plan_import.errors],
        [Message(**m) for m in plan_import.warnings],
    )
    change_set = build_change_set(plan_import.rows, plan, read_messages)
    form = RevisionForm(
        initial={
            "registration_number": plan.registration_number,
            "decided_by": plan.decided_by,
            "digest": change_set.digest,
        }
    )
    problem = ""
    if request.method == "POST" and plan_import.applied_as is None:
        form = RevisionForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            digest = data.pop("digest")
            try:
                new, _applied = services.plan_revise(
                    plan_import=plan_import,
                    records=plan_import.rows,
                    read_errors=read_messages[0],
                    user=request.user,
                    expected_digest=digest,
                    **data,
                )
            except ChangeSetChanged as error:
                problem = str(error)
                resubmit = request.POST.copy()
                resubmit["digest"] = change_set.digest
                form = RevisionForm(resubmit)
            except RevisionError as error:
                problem = str(error)
            else:
                messages.success(
                    request,
                    _("The revised plan is now current as “%(revision)s”.")
                    % {"revision": new.revision},
                )
                return redirect("followup:revisions")
    return render(
        request,
        "followup/plan_import_review.html",
        {
            "plan_import": plan_import,
            "plan": plan,
            "change_set": change_set,
            "form": form,
            "problem": problem,
            "blocking_cycle": services.cycle_blocking_revision(plan),
        },
    )


# ---------------------------------------------------------------------------
# Starting the plan: an installation with no plan, and a workbook that starts one
# ---------------------------------------------------------------------------

_START_REFUSAL = gettext_lazy(
    "You tried to start the action plan from a workbook. Only the secretariat does that."
)


@require_GET
@login_required
def plan_start_workbook(request: HttpRequest) -> HttpResponse:
    """The empty workbook a plan is started in (the secretariat's)."""
    if not plan_permissions.can_revise_plan(request.user):
        raise PermissionDenied(_START_REFUSAL)
    buffer = io.BytesIO()
    write_empty_workbook(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment("vsplan-new-plan.xlsx")
    return response


@require_http_methods(["GET", "POST"])
@login_required
def plan_start_page(request: HttpRequest) -> HttpResponse:
    """On an installation with no plan: download the empty workbook, fill it in, upload it;
    nothing is created until its change set is reviewed and applied."""
    if not plan_permissions.can_revise_plan(request.user):
        raise PermissionDenied(_START_REFUSAL)
    if current_plan() is not None:
        return redirect("followup:plan_import")
    rejected = ""
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            read = read_start_workbook(upload.read())
        except ImportRejected as error:
            rejected = str(error)
        else:
            plan_import = plan_import_create(
                user=request.user,
                plan=None,
                filename=upload.name,
                result=read.result,
                start=read.data,
            )
            return redirect("followup:plan_import_review", pk=plan_import.pk)
    imports = PlanImport.objects.filter(uploaded_by=request.user, plan=None)[:10]
    return render(
        request,
        "followup/plan_start.html",
        {"form": form, "rejected": rejected, "imports": imports},
    )


def _start_review(request: HttpRequest, plan_import: PlanImport) -> HttpResponse:
    """The change set of a workbook that starts the plan (everything in it new), and
    applying it as the plan's first revision."""
    start = StartData.from_dict(plan_import.start)
    read_messages = (
        [Message(**m) for m in plan_import.errors],
        [Message(**m) for m in plan_import.warnings],
    )
    problem = ""
    change_set = None
    if plan_import.applied_as is None:
        try:
            change_set = start_change_set(start, plan_import.rows, read_messages)
        except RevisionError as error:
            problem = str(error)
    values = start_values(start)
    form = RevisionForm(
        initial={**values, "digest": change_set.digest if change_set else ""},
    )
    if request.method == "POST" and change_set is not None:
        form = RevisionForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            digest = data.pop("digest")
            try:
                new, _applied = plan_start(
                    start=start,
                    records=plan_import.rows,
                    read_errors=read_messages[0],
                    user=request.user,
                    expected_digest=digest,
                    plan_import=plan_import,
                    **data,
                )
            except ChangeSetChanged as error:
                problem = str(error)
                resubmit = request.POST.copy()
                resubmit["digest"] = change_set.digest
                form = RevisionForm(resubmit)
            except RevisionError as error:
                problem = str(error)
            else:
                messages.success(
                    request,
                    _("The plan is started: “%(revision)s” is its first revision.")
                    % {"revision": new.revision},
                )
                return redirect("followup:plan")
    return render(
        request,
        "followup/plan_start_review.html",
        {
            "plan_import": plan_import,
            "start": start,
            "change_set": change_set,
            "form": form,
            "problem": problem,
        },
    )
