"""The follow-up cycle's pages: cycles, the overview, a report, its review, goals and PULS,
and the cycle's PDF reports."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from areas.models import Department, ProgrammeGoal, SupportArea
from vsplan.http import HtmxHttpRequest, attachment, form_target

from . import cycles, permissions, services
from .access import get_cycle_for_user, get_managed_cycle, get_plan_for_user, get_report_for_user
from .cycle_forms import (
    BenefitFormSet,
    CycleForm,
    DeadlineForm,
    GoalAssessmentForm,
    IndicatorChoiceForm,
    IndicatorNameForm,
    IndicatorRowFormSet,
    ReopenForm,
    ReportForm,
    ReportGridFilterForm,
    ReportTextForm,
    ReviewForm,
    RiskFormSet,
)
from .cycle_selectors import (
    changes_since_previous,
    cycle_overview,
    frozen_indicator_rows,
    head_cycle,
    indicator_rows,
    pdf_readership,
)
from .models import (
    AuditEntry,
    FollowUpCycle,
    FollowUpReport,
    GoalAssessment,
    StatusFields,
    StoredPdf,
)
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
            raise PermissionDenied(
                _("You tried to create a follow-up cycle. Only the secretariat does that.")
            )
        form = CycleForm(request.POST)
        if form.is_valid():
            try:
                cycle = cycles.cycle_create(plan=plan, user=request.user, **form.cleaned_data)
            except cycles.CycleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Created %(name)s.") % {"name": cycle.name})
                return redirect("followup:cycle_detail", year=cycle.year)
    visible = [
        c
        for c in FollowUpCycle.objects.filter(plan=plan)
        if permissions.can_view_cycle(request.user, c)
    ]
    return render(
        request, "followup/cycles.html", {"cycles": visible, "form": form, "may_manage": may_manage}
    )


def _grid_form(request: HttpRequest, cycle: FollowUpCycle, reports) -> ReportGridFilterForm:
    """The grid's filter, offering the support areas and departments of the cycle's reports."""
    support_areas, departments = {}, {}
    for report in reports:
        area = report.area_record if cycle.is_frozen else report.area
        support_areas[area.support_area.code] = (
            f"{area.support_area.number} {area.support_area.name}"
        )
        if area.responsible_department:
            departments[area.responsible_department.code] = str(area.responsible_department)
    return ReportGridFilterForm(
        request.GET or None,
        support_areas=list(support_areas.items()),
        departments=sorted(departments.items(), key=lambda item: item[1]),
    )


@require_GET
@login_required
def cycle_detail(request: HtmxHttpRequest, year: int) -> HttpResponse:
    """The cycle: where its reports stand, the reporting grid (filterable; a head sees their
    own reports), the cycle's steps and history, the report's text and PDFs, goals and
    indicators."""
    cycle = get_cycle_for_user(request, year)
    return _cycle_page(request, cycle)


def _cycle_page(
    request: HttpRequest, cycle: FollowUpCycle, status: int = 200, **forms
) -> HttpResponse:
    """The cycle's page; ``forms`` replace its forms with bound ones that need correcting
    (answered with ``status``, 400, the errors beside their fields)."""
    today = timezone.localdate()
    full_view = permissions.can_view_cycle_overview(request.user)
    may_manage = permissions.can_manage_cycles(request.user)
    overview = cycle_overview(cycle, today)
    reports = overview.reports
    if not full_view:  # a head: their own departments' reports
        visible = set(
            permissions.reports_visible_to(request.user, cycle.reports.all()).values_list(
                "pk", flat=True
            )
        )
        reports = [r for r in reports if r.pk in visible]
    grid_form = _grid_form(request, cycle, reports)
    grid = reports
    if grid_form.is_valid():
        wanted = grid_form.cleaned_data
        grid = [
            r
            for r in reports
            if (not wanted["state"] or r.state == wanted["state"])
            and (
                not wanted["support_area"]
                or _area_of(cycle, r).support_area.code == wanted["support_area"]
            )
            and (not wanted["department"] or _involves(cycle, r, wanted["department"]))
        ]
    held = held_up_by(cycle.plan) if not cycle.is_frozen else {}
    context = {
        "cycle": cycle,
        "today": today,
        "days_left": cycle.days_left(today),
        "overview": overview,
        "full_view": full_view,
        "may_manage": may_manage,
        "grid": grid,
        "grid_form": grid_form,
        "grid_filtered": grid_form.is_bound
        and grid_form.is_valid()
        and any(grid_form.cleaned_data.values()),
        "banner": head_cycle(request.user, cycle.plan, today, cycle) if not full_view else None,
        "history": cycle.audit_entries.select_related("user").filter(kind__in=CYCLE_STEPS)[:50]
        if full_view
        else [],
        "deadline_form": DeadlineForm(initial={"deadline": cycle.deadline}),
        "stored_pdfs": cycle.pdfs.defer("content").select_related("requested_by")
        if full_view
        else [],
        "support_areas": SupportArea.objects.all() if full_view else [],
        "departments": Department.objects.all() if full_view else [],
        "changes": changes_since_previous(cycle) if full_view else None,
        "held_up": [
            (r, held.get(r.area_id) or (r.area_record.held_up_by if cycle.is_frozen else []))
            for r in reports
            if held.get(r.area_id) or (cycle.is_frozen and r.area_record.held_up_by)
        ],
        "reminders": cycle.reminders.select_related("recipient")[:50] if may_manage else [],
        "due_step": cycles.due_step(cycle, today),
        "goals": _goal_rows(cycle) if full_view else [],
        "indicators": _indicator_rows(cycle) if full_view else [],
        "min_respondents": settings.VSPLAN_MIN_RESPONDENTS,
        "report_text_form": ReportTextForm(instance=cycle)
        if may_manage and not cycle.is_frozen
        else None,
        "report_text": [
            (FollowUpCycle._meta.get_field(name).verbose_name, getattr(cycle, name))
            for name in cycles.REPORT_TEXT_FIELDS
        ],
        "pdf_form": {"scope": "programme", "code": "", "lang": translation.get_language()},
        "pdf_errors": {},
        "pdf_scopes": [
            ("programme", _("The whole programme")),
            ("support_area", _("A support area")),
            ("department", _("A department")),
        ],
    }
    context |= forms
    return render(request, "followup/cycle_detail.html", context, status=status)


@form_target("followup:cycle_detail")
@login_required
def cycle_report_text(request: HttpRequest, year: int) -> HttpResponse:
    """Save the report's text (summary, overall assessment, decisions asked for)."""
    cycle = get_managed_cycle(request, year)
    form = ReportTextForm(request.POST, instance=FollowUpCycle.objects.get(pk=cycle.pk))
    if not form.is_valid():
        return _cycle_page(request, cycle, status=400, report_text_form=form)
    try:
        changed = cycles.cycle_report_text_set(
            cycle=cycle, user=request.user, texts=form.cleaned_data
        )
    except cycles.CycleError as error:
        return _refused(request, cycle, error)
    if not changed:
        messages.info(request, _("The report's text was already as written; nothing changed."))
        return redirect("followup:cycle_detail", year=cycle.year)
    messages.success(
        request, _("The report's text is saved; the next PDF of the cycle opens with it.")
    )
    return redirect("followup:cycle_detail", year=cycle.year)  # the message at the top


CYCLE_STEPS = [
    AuditEntry.Kind.CYCLE_CREATED,
    AuditEntry.Kind.CYCLE_OPENED,
    AuditEntry.Kind.CYCLE_DEADLINE,
    AuditEntry.Kind.CYCLE_CLOSED,
    AuditEntry.Kind.CYCLE_REOPENED,
    AuditEntry.Kind.CYCLE_PUBLISHED,
    AuditEntry.Kind.REPORT_TEXT,
    AuditEntry.Kind.REMINDER,
    AuditEntry.Kind.PDF_MADE,  # who asked for which report PDF, and when
]


def _area_of(cycle: FollowUpCycle, report: FollowUpReport):
    return report.area_record if cycle.is_frozen else report.area


def _involves(cycle: FollowUpCycle, report: FollowUpReport, code: str) -> bool:
    area = _area_of(cycle, report)
    if cycle.is_frozen:
        return area.involves_codes({code})
    department = area.responsible_department
    return bool(department and department.code == code)


def _goal_rows(cycle: FollowUpCycle) -> list[dict]:
    """Each goal with its assessment in the cycle: as frozen when it closed, else one query."""
    if cycle.is_frozen:
        return cycle.frozen_plan["goals"]
    assessment = GoalAssessment.objects.filter(cycle=cycle, goal=OuterRef("pk")).values(
        "assessment"
    )[:1]
    goals = ProgrammeGoal.objects.annotate(assessment=Subquery(assessment))
    return [{"title": g.title, "assessment": g.assessment or ""} for g in goals]


def _indicator_rows(cycle: FollowUpCycle):
    if cycle.is_frozen:
        return frozen_indicator_rows(cycle.frozen_plan, settings.VSPLAN_MIN_RESPONDENTS)
    return indicator_rows(cycle, settings.VSPLAN_MIN_RESPONDENTS)


def _confirm(request: HttpRequest, cycle: FollowUpCycle, action: str, **context) -> HttpResponse:
    """The page that asks before a step that cannot be undone lightly."""
    return render(
        request, "followup/cycle_confirm.html", {"cycle": cycle, "action": action, **context}
    )


def _done(request: HttpRequest, cycle: FollowUpCycle, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("followup:cycle_detail", year=cycle.year)


def _refused(request: HttpRequest, cycle: FollowUpCycle, error: cycles.CycleError) -> HttpResponse:
    messages.error(request, error.message)
    return redirect("followup:cycle_detail", year=cycle.year)


def _confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


@form_target("followup:cycle_detail")
@login_required
def cycle_open(request: HttpRequest, year: int) -> HttpResponse:
    """Opens at once; before the cycle's opening date, asks first."""
    cycle = get_managed_cycle(request, year)
    try:
        count = cycles.cycle_open(
            cycle=cycle, user=request.user, before_its_date=_confirmed(request)
        )
    except cycles.OpensLater as question:
        return _confirm(request, cycle, "open", question=question.message)
    except cycles.CycleError as error:
        return _refused(request, cycle, error)
    return _done(
        request,
        cycle,
        _("%(name)s is open: %(count)s reports created.") % {"name": cycle.name, "count": count},
    )


@require_http_methods(["GET", "POST"])
@login_required
def cycle_close(request: HttpRequest, year: int) -> HttpResponse:
    """Asks first, saying what closing now would leave unsubmitted."""
    cycle = get_managed_cycle(request, year)
    if not cycle.is_open:
        return _refused(request, cycle, cycles.CycleError(_("Only an open cycle can be closed.")))
    if not _confirmed(request):
        return _confirm(
            request,
            cycle,
            "close",
            consequence=cycles.close_consequence(cycle),
            before_deadline=timezone.localdate() < cycle.deadline,
        )
    try:
        cycles.cycle_close(cycle=cycle, user=request.user)
    except cycles.CycleError as error:
        return _refused(request, cycle, error)
    return _done(
        request, cycle, _("%(name)s is closed; its reports are frozen.") % {"name": cycle.name}
    )


@require_http_methods(["GET", "POST"])
@login_required
def cycle_publish(request: HttpRequest, year: int) -> HttpResponse:
    """Asks first: publishing makes the cycle readable to everyone, and cannot be undone."""
    cycle = get_managed_cycle(request, year)
    if not cycle.is_closed:
        return _refused(
            request, cycle, cycles.CycleError(_("Only a closed cycle can be published."))
        )
    if not _confirmed(request):
        return _confirm(request, cycle, "publish", consequence=cycles.close_consequence(cycle))
    try:
        cycles.cycle_publish(cycle=cycle, user=request.user)
    except cycles.CycleError as error:
        return _refused(request, cycle, error)
    return _done(
        request, cycle, _("%(name)s is published; everyone can read it.") % {"name": cycle.name}
    )


@require_http_methods(["GET", "POST"])
@login_required
def cycle_reopen(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_managed_cycle(request, year)
    if not cycle.is_closed:
        return _refused(
            request,
            cycle,
            cycles.CycleError(_("Only a closed cycle that is not published can be opened again.")),
        )
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycles.cycle_reopen(cycle=cycle, user=request.user, reason=form.cleaned_data["reason"])
        except cycles.CycleError as error:
            form.add_error("reason", error.message)
        else:
            return _done(request, cycle, _("%(name)s is open again.") % {"name": cycle.name})
    return _confirm(request, cycle, "reopen", form=form)


@require_http_methods(["GET", "POST"])
@login_required
def cycle_delete(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_managed_cycle(request, year)
    if not cycle.is_draft:
        return _refused(
            request,
            cycle,
            cycles.CycleError(_("Only a draft cycle can be deleted; this one has reports.")),
        )
    if not _confirmed(request):
        return _confirm(request, cycle, "delete")
    try:
        cycles.cycle_delete(cycle=cycle, user=request.user)
    except cycles.CycleError as error:
        return _refused(request, cycle, error)
    messages.success(request, _("%(name)s is deleted.") % {"name": cycle.name})
    return redirect("followup:cycles")


@form_target("followup:cycle_detail")
@login_required
def cycle_deadline(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_managed_cycle(request, year)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the new deadline as a date."))
        return redirect("followup:cycle_detail", year=year)
    try:
        cycles.cycle_deadline_set(
            cycle=cycle, deadline=form.cleaned_data["deadline"], user=request.user
        )
    except cycles.CycleError as error:
        return _refused(request, cycle, error)
    return _done(
        request,
        cycle,
        _("The deadline of %(name)s is now %(date)s.")
        % {"name": cycle.name, "date": date_format(form.cleaned_data["deadline"])},
    )


@form_target("followup:cycle_detail")
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


@form_target("followup:cycle_detail", keep=("year",))
@login_required
def cycle_remind_one(request: HttpRequest, year: int, user_id: int) -> HttpResponse:
    """Remind one head now, from the reporting grid."""
    cycle = get_managed_cycle(request, year)
    head = get_object_or_404(User, pk=user_id, headed_departments__isnull=False, is_active=True)
    try:
        count = cycles.reminder_send_one(
            cycle=cycle, head=head, user=request.user, today=timezone.localdate()
        )
    except cycles.CycleError as error:
        return _refused(request, cycle, error)
    return _done(
        request,
        cycle,
        _("Reminded %(name)s of %(count)d reports.")
        % {"name": head.get_full_name() or head.get_username(), "count": count},
    )


DEFAULT_INDICATOR = "PULS"


@require_http_methods(["GET", "POST"])
@login_required
def cycle_goals(request: HttpRequest, year: int) -> HttpResponse:
    """The goals' assessments, and one indicator's values for every department on one form
    (a value cleared is removed)."""
    cycle = get_managed_cycle(request, year)
    goals = list(ProgrammeGoal.objects.all())
    current = {a.goal_id: a.assessment for a in cycle.goal_assessments.all()}
    saving_indicators = "save_indicators" in request.POST
    saving_goals = request.method == "POST" and not saving_indicators
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
    every_value = list(cycle.indicators.all())
    names = sorted({v.name for v in every_value})
    choice = IndicatorChoiceForm(request.GET or None)
    name_form = IndicatorNameForm(request.POST if saving_indicators else None, prefix="indicator")
    if saving_indicators:
        if not name_form.is_valid():
            return HttpResponseBadRequest(_("The form was altered; reload the page and try again."))
        name = name_form.cleaned_data["name"]
    else:
        asked = choice.cleaned_data["indicator"].strip() if choice.is_valid() else ""
        name = asked or (names[0] if names else DEFAULT_INDICATOR)
    departments = {d.code: d for d in Department.objects.order_by("code")}
    values = {v.department_id: v for v in every_value if v.name == name}
    rows = IndicatorRowFormSet(
        request.POST if saving_indicators else None,
        prefix="value",
        form_kwargs={"department_codes": list(departments)},
        initial=[
            {
                "department": d.code,
                "value": values[d.pk].value if d.pk in values else None,
                "respondents": values[d.pk].respondents if d.pk in values else None,
            }
            for d in departments.values()
        ],
    )
    if saving_indicators and any(row.has_error("department") for row in rows):
        # The departments are the form's own hidden fields: anything else was altered.
        return HttpResponseBadRequest(_("The form was altered; reload the page and try again."))
    if request.method == "POST":
        try:
            if saving_indicators and rows.is_valid():
                changed = services.indicator_values_save(
                    cycle=cycle,
                    user=request.user,
                    name=name,
                    values={departments[f.cleaned_data["department"]]: f.pair for f in rows},
                )
                messages.success(
                    request,
                    ngettext(
                        "%(name)s: %(count)d value changed.",
                        "%(name)s: %(count)d values changed.",
                        changed,
                    )
                    % {"name": name, "count": changed},
                )
                return redirect(
                    reverse("followup:cycle_goals", args=[year])
                    + f"?{urlencode({'indicator': name})}"
                )
            if saving_goals and all(f.is_valid() for _g, f in goal_forms):
                services.goal_assessments_save(
                    cycle=cycle,
                    user=request.user,
                    assessments={g: f.cleaned_data["assessment"] for g, f in goal_forms},
                )
                messages.success(request, _("Goal assessments saved."))
                return redirect("followup:cycle_goals", year=year)
        except services.FollowUpError as error:
            messages.error(request, error.message)
            return redirect("followup:cycle_detail", year=year)
    for row in rows:
        row.for_department = departments.get(row["department"].value())
    context = {
        "cycle": cycle,
        "goal_forms": goal_forms,
        "indicator_name": name,
        "indicator_names": names,
        "indicator_choice": IndicatorChoiceForm(initial={"indicator": name}),
        "name_form": IndicatorNameForm(initial={"name": name}, prefix="indicator"),
        "rows": rows,
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


def _report_forms_with_new_risk(report: FollowUpReport, data):
    """The report's forms as the user left them, not yet saved, with one more empty risk row
    (which takes the focus). Unbound, so that asking for a row shows no errors yet."""
    form, risks, benefits, benefit_rows = _report_forms(report, data)
    kept = ReportForm(initial={name: form[name].value() for name in form.fields})
    # A report holds at most ``max_num`` risks: at that many rows, none is added.
    rows = [{name: row[name].value() for name in row.fields} for row in risks.forms]
    kept_risks = RiskFormSet(initial=rows[: RiskFormSet.max_num], prefix="risk")
    kept_benefits = BenefitFormSet(
        initial=[{name: row[name].value() for name in row.fields} for row in benefits.forms],
        prefix="benefit",
    )
    for row, benefit_form in zip(benefit_rows, kept_benefits.forms, strict=False):
        benefit_form.effect = row.effect
    if len(kept_risks.forms) > len(rows):
        kept_risks.forms[-1].fields["aspect"].widget.attrs["autofocus"] = True
    return kept, kept_risks, kept_benefits, benefit_rows


def _report_context(request: HttpRequest, report: FollowUpReport, forms, **extra) -> dict:
    form, risks, benefits, _rows = forms
    cycle = report.cycle
    if cycle.is_frozen:
        held = report.area_record.held_up_by
    else:
        held = held_up_by(cycle.plan).get(report.area_id, [])
    return {
        "report": report,
        "cycle": cycle,
        "area": report.area_record if cycle.is_frozen else report.area,
        # The area's page, unless a later revision of the plan removed the area.
        "area_in_plan": report.area.plan_id == cycle.plan_id,
        "form": form,
        "risks": risks,
        "benefits": benefits,
        "may_edit": permissions.can_edit_report(request.user, report),
        "may_review": permissions.can_review_report(request.user, report),
        "may_read_text": permissions.can_read_report_text(request.user, report),
        "may_see_history": permissions.can_view_cycle_overview(request.user)
        or permissions.can_read_report_text(request.user, report)
        and not report.cycle.is_published,
        # The reviewer starts from the owner's light, and says why if they differ.
        "review_form": ReviewForm(
            owner_light=report.traffic_light, initial={"reviewer_light": report.traffic_light}
        ),
        "reviews": list(report.reviews.select_related("reviewer")),
        "changes": changes_since_previous(cycle, [report.area_id]),
        "held_up_by": held,
        "banner": head_cycle(request.user, cycle.plan, timezone.localdate(), cycle)
        if cycle.is_open and not permissions.can_view_cycle_overview(request.user)
        else None,
    } | extra


@require_http_methods(["GET", "POST"])
@login_required
def report_detail(request: HtmxHttpRequest, year: int, key: str) -> HttpResponse:
    report = get_report_for_user(request, year, key)
    forms = _report_forms(report)
    saved_message = None
    if request.method == "POST":
        if not permissions.can_edit_report(request.user, report):
            raise PermissionDenied(
                _(
                    "You tried to change the report on %(key)s. Only the head of its responsible "
                    "department and the secretariat may, while the cycle is open and the report "
                    "has not been handed in."
                )
                % {"key": key}
            )
        forms = _report_forms(report, request.POST)
        form, risks, benefits, benefit_rows = forms
        if form.version_is_tampered:
            return HttpResponse(
                _("The form was altered; reload the page and try again."), status=400
            )
        if request.POST.get("action") == "add_risk":
            # Another empty risk row; nothing is saved until the user saves.
            if not risks.management_form.is_valid():
                return HttpResponseBadRequest(
                    _("The form was altered; reload the page and try again.")
                )
            forms = _report_forms_with_new_risk(report, request.POST)
            added = len(forms[1].forms) > risks.total_form_count()
            message = (
                _("A new empty risk row was added. Nothing is saved yet.")
                if added
                else _("A report holds at most %(count)d risks.") % {"count": RiskFormSet.max_num}
            )
            context = _report_context(request, report, forms, row_message=message)
            return render(request, _report_template(request), context)
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
    return render(request, _report_template(request), context)


def _report_template(request: HtmxHttpRequest) -> str:
    return "followup/report.html#report_form" if request.htmx else "followup/report.html"


@form_target("followup:report_detail")
@login_required
def report_review(request: HttpRequest, year: int, key: str) -> HttpResponse:
    report = get_report_for_user(request, year, key)
    if not permissions.can_manage_cycles(request.user):
        raise PermissionDenied(
            _("You tried to review the report on %(key)s. Only the secretariat reviews reports.")
            % {"key": key}
        )
    form = ReviewForm(request.POST, owner_light=report.traffic_light)
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
            following = _next_in_queue(report)
            if following is not None:  # straight on to the next report waiting for review
                return redirect("followup:report_detail", year=year, key=following.area.key)
            return redirect(reverse("followup:cycle_detail", args=[year]) + "#queue")
    context = _report_context(
        request, report, _report_forms(report), review_form=form, may_review=True
    )
    return render(request, "followup/report.html", context)


def _next_in_queue(report: FollowUpReport) -> FollowUpReport | None:
    """The next submitted report after this one in the plan's order (else the first)."""
    waiting = list(
        report.cycle.reports.waiting_for_review()
        .select_related("area__support_area")
        .order_by("area__support_area__order", "area__order")
    )
    position = (report.area.support_area.order, report.area.order)
    later = [r for r in waiting if (r.area.support_area.order, r.area.order) > position]
    return (later or waiting or [None])[0]


@require_GET
@login_required
def report_history(request: HttpRequest, year: int, key: str) -> HttpResponse:
    """Every version of a report, and every review, newest first."""
    report = get_report_for_user(request, year, key)
    if not (
        permissions.can_view_cycle_overview(request.user)
        or permissions.can_read_report_text(request.user, report)
        and not report.cycle.is_published
    ):
        raise PermissionDenied(
            _(
                "You tried to see every version of the report on %(key)s. They are for the "
                "secretariat, the council and the heads of the area's departments."
            )
            % {"key": key}
        )
    context = {
        "report": report,
        "cycle": report.cycle,
        "versions": report.versions.select_related("saved_by"),
        "reviews": report.reviews.select_related("reviewer"),
    }
    return render(request, "followup/report_history.html", context)


# -- the cycle's PDF reports ------------------------------------------------------


def _pdf_request(request: HttpRequest, cycle: FollowUpCycle):
    """The report asked for: ((scope, code, language), None), or (None, {field: error})."""
    kind = request.POST.get("scope", "programme")
    code = request.POST.get("code", "")
    language = request.POST.get("lang", settings.LANGUAGE_CODE)
    errors = {}
    if language not in dict(settings.LANGUAGES):
        errors["lang"] = _("Choose Swedish or English.")
    if kind == "support_area" and not SupportArea.objects.filter(code=code).exists():
        errors["code"] = _("Choose which support area the report is for.")
    elif kind == "department" and not Department.objects.filter(code=code).exists():
        errors["code"] = _("Choose which department the report is for.")
    elif kind == "area" and not cycle.reports.filter(area__key=code).exists():
        errors["code"] = _("Choose which development area the report is for.")
    elif kind not in ("programme", "support_area", "department", "area"):
        errors["scope"] = _("Choose the whole programme, a support area or a department.")
    if errors:
        return None, errors
    return (kind, code if kind != "programme" else "", language), None


def _ask_for_pdf(request: HttpRequest, cycle: FollowUpCycle, wanted) -> HttpResponse:
    """Ask for the PDF the user may have (403 otherwise), as they may read it; on to its
    progress page."""
    scope, code, language = wanted
    if not permissions.can_ask_for_pdf(request.user, cycle, scope, code):
        raise PermissionDenied
    regenerate = request.POST.get("regenerate") == "1"
    if regenerate and not permissions.can_manage_cycles(request.user):
        raise PermissionDenied(
            _("You tried to render the PDF again. Only the secretariat does that.")
        )
    stored = services.pdf_request(
        cycle=cycle,
        scope=scope,
        code=code,
        language=language,
        user=request.user,
        readership=pdf_readership(request.user, cycle, scope, code),
        regenerate=regenerate,
    )
    return redirect("followup:pdf_status", year=cycle.year, pk=stored.pk)


@form_target("followup:cycle_detail")
@login_required
def cycle_pdf(request: HtmxHttpRequest, year: int) -> HttpResponse:
    """Ask for a report PDF: rendered in the background, kept; a closed cycle's is reused."""
    cycle = get_cycle_for_user(request, year)
    if not permissions.can_read_cycle_pdfs(request.user, cycle):
        raise PermissionDenied(_pdf_refusal(cycle))
    wanted, error = _pdf_request(request, cycle)
    if error:
        asked = {name: request.POST.get(name, "")[:50] for name in ("scope", "code", "lang")}
        return _cycle_page(request, cycle, status=400, pdf_form=asked, pdf_errors=error)
    return _ask_for_pdf(request, cycle, wanted)


@form_target("followup:my_areas")
@login_required
def pdf_ask(request: HttpRequest) -> HttpResponse:
    """Ask for a report PDF from My areas (a department's report) or an area's page (the
    area's own), of a cycle chosen in the form: as on the cycle page, for those who may
    have that report (a head: their own departments' and areas', also while the cycle is
    open). The forms offer only valid choices: anything else is a plain 400."""
    year = request.POST.get("year", "")
    if not year.isdigit() or len(year) > 4:
        return HttpResponseBadRequest(_("Choose the follow-up cycle."))
    cycle = get_cycle_for_user(request, int(year))
    wanted, error = _pdf_request(request, cycle)
    if error:
        return HttpResponseBadRequest(" ".join(str(message) for message in error.values()))
    return _ask_for_pdf(request, cycle, wanted)


def _pdf_refusal(cycle) -> str:
    return _(
        "You tried to get the report of %(cycle)s as a PDF. It holds every report: until the "
        "cycle is published, it is for the secretariat and the council."
    ) % {"cycle": cycle}


def _get_stored_pdf(request: HttpRequest, year: int, pk: int):
    """A stored PDF of the cycle the user may have: one of a scope they may ask for, that
    shows nothing they may not read (made for them or anyone who may read the same, or
    for fewer): 404 if there is none, 403 otherwise."""
    cycle = get_cycle_for_user(request, year)
    stored = StoredPdf.objects.filter(cycle=cycle, pk=pk).defer("content").first()
    if stored is None:
        raise Http404("No such report.")
    if not permissions.can_ask_for_pdf(request.user, cycle, stored.scope, stored.code):
        raise PermissionDenied
    if permissions.can_view_cycle_overview(request.user):
        return cycle, stored  # they read every report and the cycle's text
    readership = pdf_readership(request.user, cycle, stored.scope, stored.code)
    if stored.readers != readership.key and not readership.covers(
        stored.text_of, stored.cycle_text
    ):
        raise PermissionDenied
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
        "waited": max(0, int((timezone.now() - stored.requested_at).total_seconds())),
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
    response["Content-Disposition"] = attachment(stored.filename)
    response["ETag"] = f'"{stored.sha256}"'
    return response
