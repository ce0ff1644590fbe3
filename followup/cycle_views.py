"""The follow-up cycle's pages: cycles, the overview, a report, its review, goals and PULS,
and the cycle's PDF reports."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from areas.models import Department, ProgrammeGoal, SupportArea
from vsplan.http import HtmxHttpRequest

from . import cycles, permissions, services
from .access import get_cycle_for_user, get_managed_cycle, get_plan_for_user, get_report_for_user
from .cycle_forms import (
    BenefitFormSet,
    CycleForm,
    GoalAssessmentForm,
    IndicatorForm,
    ReportForm,
    ReviewForm,
    RiskFormSet,
)
from .cycle_selectors import changes_since_previous, cycle_overview, indicator_rows
from .models import FollowUpCycle, FollowUpReport, GoalAssessment, StatusFields, StoredPdf
from .selectors import held_up_by

# -- cycles ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def cycle_list(request: HtmxHttpRequest) -> HttpResponse:
    plan = get_plan_for_user(request)
    may_manage = permissions.can_manage_cycles(request.user)
    form = CycleForm(initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        form = CycleForm(request.POST)
        if form.is_valid():
            try:
                cycle = cycles.cycle_create(plan=plan, **form.cleaned_data)
            except cycles.CycleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Created %(name)s.") % {"name": cycle.name})
                return redirect("followup:cycle_detail", year=cycle.year)
    visible = FollowUpCycle.objects.filter(plan=plan)
    if not permissions.can_view_cycle_overview(request.user):
        visible = visible.filter(state=FollowUpCycle.State.PUBLISHED)
    return render(
        request, "followup/cycles.html", {"cycles": visible, "form": form, "may_manage": may_manage}
    )


@require_GET
@login_required
def cycle_detail(request: HtmxHttpRequest, year: int) -> HttpResponse:
    cycle = get_cycle_for_user(request, year)
    today = timezone.localdate()
    overview = cycle_overview(cycle, today)
    held = held_up_by(cycle.plan)
    context = {
        "stored_pdfs": cycle.pdfs.defer("content"),
        "support_areas": SupportArea.objects.all(),
        "departments": Department.objects.all(),
        "cycle": cycle,
        "overview": overview,
        "may_manage": permissions.can_manage_cycles(request.user),
        "changes": changes_since_previous(cycle),
        "held_up": [(r, held[r.area_id]) for r in overview.reports if r.area_id in held],
        "reminders": cycle.reminders.select_related("recipient")[:50],
        "due_step": cycles.due_step(cycle, today),
        "goals": _goal_rows(cycle),
        "indicators": indicator_rows(cycle, settings.VSPLAN_MIN_RESPONDENTS),
        "min_respondents": settings.VSPLAN_MIN_RESPONDENTS,
        "today": today,
    }
    return render(request, "followup/cycle_detail.html", context)


def _goal_rows(cycle: FollowUpCycle) -> list[tuple[ProgrammeGoal, str]]:
    """Each goal with its assessment in the cycle ("" if none): one query."""
    assessment = GoalAssessment.objects.filter(cycle=cycle, goal=OuterRef("pk")).values(
        "assessment"
    )[:1]
    goals = ProgrammeGoal.objects.annotate(assessment=Subquery(assessment))
    return [(goal, goal.assessment or "") for goal in goals]


def _cycle_action(request: HttpRequest, year: int, action, done_message: str) -> HttpResponse:
    cycle = get_managed_cycle(request, year)
    try:
        result = action(cycle=cycle)
    except cycles.CycleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done_message % {"name": cycle.name, "count": result or 0})
    return redirect("followup:cycle_detail", year=year)


@require_POST
@login_required
def cycle_open(request: HttpRequest, year: int) -> HttpResponse:
    return _cycle_action(
        request, year, cycles.cycle_open, _("%(name)s is open: %(count)s reports created.")
    )


@require_POST
@login_required
def cycle_close(request: HttpRequest, year: int) -> HttpResponse:
    return _cycle_action(
        request, year, cycles.cycle_close, _("%(name)s is closed; its reports are frozen.")
    )


@require_POST
@login_required
def cycle_publish(request: HttpRequest, year: int) -> HttpResponse:
    return _cycle_action(
        request, year, cycles.cycle_publish, _("%(name)s is published; everyone can read it.")
    )


@require_POST
@login_required
def cycle_remind(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_managed_cycle(request, year)
    result = cycles.reminders_send(cycle=cycle, today=timezone.localdate())
    if result.step is None:
        messages.info(request, _("No reminder is due today."))
    else:
        messages.success(
            request,
            _("Reminders sent: %(sent)s; already sent: %(already)s; failed: %(failed)s.")
            % {
                "sent": len(result.sent),
                "already": result.already_sent,
                "failed": len(result.failed),
            },
        )
    return redirect("followup:cycle_detail", year=year)


@require_http_methods(["GET", "POST"])
@login_required
def cycle_goals(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_managed_cycle(request, year)
    goals = list(ProgrammeGoal.objects.all())
    current = {a.goal_id: a.assessment for a in cycle.goal_assessments.all()}
    adding = "add_indicator" in request.POST
    saving_goals = request.method == "POST" and not adding
    goal_forms = [
        (
            g,
            GoalAssessmentForm(
                request.POST if saving_goals else None,
                prefix=f"goal-{g.pk}",
                initial={"assessment": current.get(g.pk, "")},
            ),
        )
        for g in goals
    ]
    indicator_form = IndicatorForm(request.POST if adding else None, prefix="indicator")
    if request.method == "POST":
        try:
            if adding and indicator_form.is_valid():
                services.indicator_value_save(cycle=cycle, **indicator_form.cleaned_data)
                messages.success(request, _("Indicator value saved."))
                return redirect("followup:cycle_goals", year=year)
            if saving_goals and all(f.is_valid() for _g, f in goal_forms):
                services.goal_assessments_save(
                    cycle=cycle,
                    assessments={g: f.cleaned_data["assessment"] for g, f in goal_forms},
                )
                messages.success(request, _("Goal assessments saved."))
                return redirect("followup:cycle_goals", year=year)
        except services.FollowUpError as error:
            messages.error(request, error.message)
            return redirect("followup:cycle_detail", year=year)
    context = {
        "cycle": cycle,
        "goal_forms": goal_forms,
        "indicator_form": indicator_form,
        "indicators": indicator_rows(cycle, settings.VSPLAN_MIN_RESPONDENTS),
        "min_respondents": settings.VSPLAN_MIN_RESPONDENTS,
    }
    return render(request, "followup/goals.html", context)


# -- reports ---------------------------------------------------------------------


def _report_forms(report: FollowUpReport, data=None):
    initial = {name: getattr(report, name) for name in StatusFields.WRITTEN}
    initial["version"] = report.version
    form = ReportForm(data, initial=initial)
    risk_initial = [
        {
            "aspect": r.aspect,
            "description": r.description,
            "likelihood": r.likelihood,
            "consequence": r.consequence,
            "mitigation": r.mitigation,
            "owner": r.owner,
            "shared_with_unions": r.shared_with_unions,
        }
        for r in report.risks.all()
    ]
    risks = RiskFormSet(data, initial=risk_initial, prefix="risk")
    benefit_rows = list(report.benefits.all())
    benefits = BenefitFormSet(
        data,
        initial=[{"outcome": b.outcome, "evidence": b.evidence} for b in benefit_rows],
        prefix="benefit",
    )
    for row, benefit_form in zip(benefit_rows, benefits.forms, strict=False):
        benefit_form.effect = row.effect
    return form, risks, benefits, benefit_rows


def _report_context(request: HttpRequest, report: FollowUpReport, forms, **extra) -> dict:
    form, risks, benefits, _rows = forms
    return {
        "report": report,
        "cycle": report.cycle,
        "form": form,
        "risks": risks,
        "benefits": benefits,
        "may_edit": permissions.can_edit_report(request.user, report),
        "may_review": permissions.can_review_report(request.user, report),
        "review_form": ReviewForm(initial={"reviewer_light": report.traffic_light}),
        "changes": changes_since_previous(report.cycle, [report.area_id]),
        "held_up_by": held_up_by(report.cycle.plan).get(report.area_id, []),
    } | extra


@require_http_methods(["GET", "POST"])
@login_required
def report_detail(request: HtmxHttpRequest, year: int, key: str) -> HttpResponse:
    report = get_report_for_user(request, year, key)
    forms = _report_forms(report)
    saved_message = None
    if request.method == "POST":
        if not permissions.can_edit_report(request.user, report):
            raise PermissionDenied
        forms = _report_forms(report, request.POST)
        form, risks, benefits, benefit_rows = forms
        if form.version_is_tampered:
            return HttpResponse(
                _("The form was altered; reload the page and try again."), status=400
            )
        if form.is_valid() & risks.is_valid() & benefits.is_valid():
            submit = request.POST.get("action") == "submit"
            risk_data = [
                cycles.RiskData(**f.risk_fields)
                for f in risks.forms
                if not f.is_empty_row and not f.cleaned_data.get("DELETE")
            ]
            benefit_data = [
                cycles.BenefitData(row.pk, f.cleaned_data["outcome"], f.cleaned_data["evidence"])
                for row, f in zip(benefit_rows, benefits.forms, strict=False)
            ]
            try:
                cycles.report_save(
                    report=report,
                    user=request.user,
                    seen_version=form.cleaned_data["version"],
                    fields=form.status_fields,
                    risks=risk_data,
                    benefits=benefit_data,
                    submit=submit,
                )
            except cycles.CycleError as error:
                form.add_error(None, error.message)
            else:
                saved_message = _("Report submitted.") if submit else _("Draft saved.")
                if not request.htmx:
                    messages.success(request, saved_message)
                    return redirect("followup:report_detail", year=year, key=key)
                report = get_report_for_user(request, year, key)
                forms = _report_forms(report)
    context = _report_context(request, report, forms, saved_message=saved_message)
    template = "followup/report.html#report_form" if request.htmx else "followup/report.html"
    return render(request, template, context)


@require_POST
@login_required
def report_review(request: HttpRequest, year: int, key: str) -> HttpResponse:
    report = get_report_for_user(request, year, key)
    if not permissions.can_manage_cycles(request.user):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            cycles.report_review(
                report=report,
                user=request.user,
                approve=data["decision"] == "approve",
                reviewer_light=data["reviewer_light"],
                reviewer_reason=data["reviewer_reason"],
                comment=data["comment"],
            )
        except cycles.CycleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Review saved for %(key)s.") % {"key": key})
            return redirect(reverse("followup:cycle_detail", args=[year]) + "#queue")
    context = _report_context(
        request, report, _report_forms(report), review_form=form, may_review=True
    )
    return render(request, "followup/report.html", context)


# -- the cycle's PDF reports ------------------------------------------------------


def _pdf_request(request: HttpRequest):
    """The report asked for: (scope, code, language), or an error message."""
    kind = request.POST.get("scope", "programme")
    code = request.POST.get("code", "")
    language = request.POST.get("lang", settings.LANGUAGE_CODE)
    if language not in dict(settings.LANGUAGES):
        return None, _("Choose Swedish or English.")
    if kind == "programme":
        return ("programme", "", language), None
    if kind == "support_area" and SupportArea.objects.filter(code=code).exists():
        return ("support_area", code, language), None
    if kind == "department" and Department.objects.filter(code=code).exists():
        return ("department", code, language), None
    return None, _("Choose the whole programme, a support area or a department.")


@require_POST
@login_required
def cycle_pdf(request: HtmxHttpRequest, year: int) -> HttpResponse:
    """Ask for a report PDF: rendered in the background, kept; a closed cycle's is reused."""
    cycle = get_cycle_for_user(request, year)
    wanted, error = _pdf_request(request)
    if error:
        return HttpResponse(error, status=400)
    scope, code, language = wanted
    regenerate = request.POST.get("regenerate") == "1"
    if regenerate and not permissions.can_manage_cycles(request.user):
        raise PermissionDenied
    stored = services.pdf_request(
        cycle=cycle,
        scope=scope,
        code=code,
        language=language,
        user=request.user,
        regenerate=regenerate,
    )
    return redirect("followup:pdf_status", year=year, pk=stored.pk)


def _get_stored_pdf(request: HttpRequest, year: int, pk: int):
    cycle = get_cycle_for_user(request, year)
    stored = StoredPdf.objects.filter(cycle=cycle, pk=pk).defer("content").first()
    if stored is None:
        raise Http404("No such report.")
    return cycle, stored


@require_GET
@login_required
def pdf_status(request: HtmxHttpRequest, year: int, pk: int) -> HttpResponse:
    """Where a requested PDF stands; polls itself (HTMX) until it is ready."""
    cycle, stored = _get_stored_pdf(request, year, pk)
    context = {
        "cycle": cycle,
        "stored": stored,
        "may_manage": permissions.can_manage_cycles(request.user),
    }
    template = "followup/pdf_status.html#status" if request.htmx else "followup/pdf_status.html"
    return render(request, template, context)


@require_GET
@login_required
def pdf_download(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    cycle, stored = _get_stored_pdf(request, year, pk)
    if not stored.is_done:
        raise Http404("The report is not ready.")
    content = StoredPdf.objects.values_list("content", flat=True).get(pk=stored.pk)
    response = HttpResponse(bytes(content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{stored.filename}"'
    response["ETag"] = f'"{stored.sha256}"'
    return response
