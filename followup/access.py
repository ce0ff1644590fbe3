"""The access helpers every page of the follow-up uses: one per kind of object.

Each returns the object a request asks for if the user may see it, and raises
404 when there is none, 403 when it is someone else's. Views never look an
object up any other way.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from areas import permissions as plan_permissions
from areas.models import ActionPlan, DevelopmentArea
from areas.selectors import area_for_plan, current_plan

from . import permissions
from .models import FollowUpCycle, FollowUpReport


def get_plan_for_user(request: HttpRequest) -> ActionPlan:
    """The current plan revision, if the user may read it: 403 otherwise, 404 if there is none."""
    if not plan_permissions.can_view_plan(request.user):
        raise PermissionDenied(
            _(
                "You tried to read the action plan, but your account may not read it. Ask the "
                "administrator for access."
            )
        )
    plan = current_plan()
    if plan is None:
        raise Http404("No action plan has been loaded.")
    return plan


def get_area_for_user(request: HttpRequest, key: str, *, page: bool = True) -> DevelopmentArea:
    """An area of the current plan the user may read, or 404 (``page``: with all it links to)."""
    plan = get_plan_for_user(request)
    area = area_for_plan(plan, key, page=page)
    if area is None:
        raise Http404("No such development area.")
    return area


def get_status_area_for_user(request: HttpRequest, key: str) -> DevelopmentArea:
    """An area whose status the user may update: 404 if there is none, 403 if it is not theirs."""
    area = get_area_for_user(request, key, page=False)
    if not permissions.can_update_status(request.user, area):
        if not area.is_changeable:
            raise PermissionDenied(
                _(
                    "You tried to update the status of %(key)s, but it belongs to an earlier "
                    "revision of the plan, which no longer changes."
                )
                % {"key": area.key}
            )
        raise PermissionDenied(
            _(
                "You tried to update the status of %(key)s. Only the head of its responsible "
                "department (%(department)s) and the secretariat may do that."
            )
            % {"key": area.key, "department": area.responsible_department.code}
        )
    return area


def get_cycle_for_user(request: HttpRequest, year: int) -> FollowUpCycle:
    """A cycle of the current plan: 404 if none; 403 unless the user may see it."""
    plan = get_plan_for_user(request)
    cycle = FollowUpCycle.objects.filter(plan=plan, year=year).first()
    if cycle is None:
        raise Http404("No such cycle.")
    cycle.plan = plan  # already at hand: saves a query
    if not permissions.can_view_cycle(request.user, cycle):
        raise PermissionDenied(
            _(
                "You tried to open %(cycle)s. Until it is published, it is for the secretariat, "
                "the council and the department heads (a draft only for the secretariat and the "
                "council)."
            )
            % {"cycle": cycle}
        )
    return cycle


def get_managed_cycle(request: HttpRequest, year: int) -> FollowUpCycle:
    """A cycle the user runs (the secretariat): 403 for everyone else."""
    cycle = get_cycle_for_user(request, year)
    if not permissions.can_manage_cycles(request.user):
        raise PermissionDenied(
            _(
                "You tried to change %(cycle)s (open, close, publish, remind or move its "
                "deadline). Only the secretariat runs the follow-up."
            )
            % {"cycle": cycle}
        )
    return cycle


def get_report_for_user(request: HttpRequest, year: int, key: str) -> FollowUpReport:
    """One area's report in one cycle, with everything its page shows."""
    plan = get_plan_for_user(request)
    # By the area's key in that cycle: a report stays readable when a later revision of
    # the plan removed its area (the area stays with the revision it belonged to).
    report = (
        FollowUpReport.objects.filter(cycle__plan=plan, cycle__year=year, area__key=key)
        .select_related(
            "cycle",
            "area__support_area",
            "area__responsible_department",
            "area__plan",
            "submitted_by",
            "reviewed_by",
        )
        .prefetch_related("area__participating_departments", "risks__aspect", "benefits")
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    report.cycle.plan = plan  # already at hand: saves a query
    if not permissions.can_view_report(request.user, report):
        raise PermissionDenied(
            _(
                "You tried to read the report on %(key)s in %(cycle)s. Until the cycle is "
                "published, only the secretariat, the council and the heads of the area's "
                "departments read it."
            )
            % {"key": key, "cycle": report.cycle}
        )
    return report
