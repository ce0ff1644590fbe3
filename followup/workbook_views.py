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
from areas.revisions import ChangeSetChanged, RevisionError, build_change_set
from areas.services import plan_import_create
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
    plan = get_plan_for_user(request)
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
