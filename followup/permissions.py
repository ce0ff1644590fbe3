"""Who may report on the plan, review, run the cycle and read what was reported.

Every view and every list asks here; templates only hide buttons. The rules
build on the role core (``areas.roles``) and the plan's own rules
(``areas.permissions``):

* a **department head** updates the status of (and reports on) the areas their
  department is responsible for, comments on those it takes part in, and reads
  the reports of both;
* the **secretariat** does all of that for every area, runs the cycles and
  reviews the reports;
* the **council** reads every cycle and report; **readers** read published ones.

Each rule about reports has two forms, side by side: one for a report at hand
(``can_view_report``, ``can_read_report_text``) and one for a list
(``reports_visible_to``, ``reports_readable_by``); a test holds them to the same answers.
"""

from django.db.models import Q, QuerySet

from areas.models import Department, DevelopmentArea
from areas.permissions import can_view_plan
from areas.roles import User, headed_department_ids, is_council, is_head, is_secretariat

from .models import HANDED_IN_REPORT_STATES, FollowUpCycle, FollowUpReport


def can_update_status(user: User, area: DevelopmentArea) -> bool:
    """May the user add a status update to this area (and fill in its reports)?"""
    return area.pk in status_updatable(user, [area])


def status_updatable(user: User, areas: list[DevelopmentArea]) -> set[int]:
    """The ids of those ``areas`` ``can_update_status`` allows: the user's roles read
    once, not once per area (a head may have thousands)."""
    if not can_view_plan(user):
        return set()
    secretariat, headed = is_secretariat(user), headed_department_ids(user)
    return {
        area.pk
        for area in areas
        if area.is_changeable and (secretariat or area.responsible_department_id in headed)
    }


def can_comment_on_area(user: User, area: DevelopmentArea) -> bool:
    """Editors may comment, and heads of participating departments.

    Reads ``area.participating_departments.all()``: prefetch it where many areas are asked.
    """
    if can_update_status(user, area):
        return True
    if not can_view_plan(user) or not area.is_changeable:
        return False
    return area.involves(headed_department_ids(user))


def areas_of_head(user: User, areas: QuerySet[DevelopmentArea]) -> QuerySet[DevelopmentArea]:
    """The areas whose responsible or participating department the user heads."""
    return areas.involving(headed_department_ids(user))


# -- cycles -----------------------------------------------------------------------


def can_manage_cycles(user: User) -> bool:
    """Create, open, close and publish cycles; review reports; send reminders."""
    return is_secretariat(user)


def can_view_cycle_overview(user: User) -> bool:
    """Every cycle, with every report: the secretariat and the council."""
    return is_secretariat(user) or is_council(user)


def can_view_cycle(user: User, cycle: FollowUpCycle) -> bool:
    """Published cycles: everyone. Before that: the secretariat and the council, and the
    heads, who see their own reports in it (``reports_visible_to``); a draft: the
    secretariat and the council only."""
    if not can_view_plan(user):
        return False
    if cycle.is_published or can_view_cycle_overview(user):
        return True
    return not cycle.is_draft and is_head(user)


def can_read_cycle_pdfs(user: User, cycle: FollowUpCycle) -> bool:
    """The cycle's PDFs (the whole programme, any support area or department) hold every
    report: the secretariat and the council, and everyone once it is published."""
    return can_view_plan(user) and (cycle.is_published or can_view_cycle_overview(user))


def can_read_cycle_text(user: User, cycle: FollowUpCycle) -> bool:
    """The cycle's own text (the secretariat's summary, assessment and decisions asked for),
    which the cycle page shows: the secretariat and the council; everyone once published."""
    return can_view_plan(user) and (cycle.is_published or can_view_cycle_overview(user))


def can_ask_for_pdf(user: User, cycle: FollowUpCycle, scope: str, code: str) -> bool:
    """May the user have a report PDF of the cycle for this scope (``programme``,
    ``support_area``, ``department`` with a department's code, ``area`` with an area's key)?
    Whoever may read the cycle's PDFs (``can_read_cycle_pdfs``); besides, before publishing,
    a head their own departments' reports and the report of an area their departments are
    involved in (also of the open cycle: the annual planning needs them). What each PDF
    shows is narrowed to what its reader may read (``reports_readable_by``)."""
    if not can_view_cycle(user, cycle):
        return False
    if can_read_cycle_pdfs(user, cycle):
        return True
    if scope == "department":
        return Department.objects.filter(pk__in=headed_department_ids(user), code=code).exists()
    if scope == "area":
        report = cycle.reports.filter(area__key=code).select_related("area").first()
        if report is None:
            return False
        report.cycle = cycle
        return can_view_report(user, report)
    return False


def can_view_dashboard(user: User) -> bool:
    return can_view_cycle_overview(user) or is_head(user)


# -- reports ----------------------------------------------------------------------


def can_view_report(user: User, report: FollowUpReport) -> bool:
    """Published reports are public; before that, the secretariat, the council and the heads
    of the area's responsible or participating departments see them (see reports_visible_to)."""
    if not can_view_plan(user):
        return False
    if report.cycle.is_published or can_view_cycle_overview(user):
        return True
    return _involved(user, report)


def _involved(user: User, report: FollowUpReport) -> bool:
    """A head of a department the area involves now (access is a question of today's
    responsibilities, also for a closed cycle's report)."""
    return report.area.involves(headed_department_ids(user))


def can_read_report_text(user: User, report: FollowUpReport) -> bool:
    """May the user read what the report says? Its readers before publishing (the secretariat,
    the council, the heads involved) always; everyone else only what was handed in: a
    published cycle's report never submitted shows as not reported, without its draft text."""
    if not can_view_report(user, report):
        return False
    if report.is_handed_in or can_view_cycle_overview(user):
        return True
    return _involved(user, report)


def reports_visible_to(user: User, reports: QuerySet[FollowUpReport]) -> QuerySet[FollowUpReport]:
    """The reports of ``reports`` that ``can_view_report`` lets the user read: every list of
    reports, risks or benefits narrows its reports with this."""
    if not can_view_plan(user):
        return reports.none()
    if can_view_cycle_overview(user):
        return reports
    headed = headed_department_ids(user)
    involved = DevelopmentArea.objects.involving(headed).values("pk")
    return reports.filter(
        Q(cycle__state=FollowUpCycle.State.PUBLISHED) | Q(area__in=involved)
    ).distinct()


def reports_readable_by(user: User, reports: QuerySet[FollowUpReport]) -> QuerySet[FollowUpReport]:
    """The reports of ``reports`` whose text ``can_read_report_text`` lets the user read:
    every list that shows what reports say (their risks, benefits, progress) narrows its
    reports with this. A published cycle's report that was never handed in is visible as
    not reported, but its draft text only to those who could read it before."""
    visible = reports_visible_to(user, reports)
    if can_view_cycle_overview(user):
        return visible
    involved = DevelopmentArea.objects.involving(headed_department_ids(user)).values("pk")
    return visible.filter(Q(state__in=HANDED_IN_REPORT_STATES) | Q(area__in=involved))


def can_see_reviews(user: User, cycle: FollowUpCycle) -> bool:
    """The reviewers' ratings of a cycle's reports, area by area: the secretariat and the
    council, and everyone once the cycle is published."""
    return can_view_cycle_overview(user) or (cycle.is_published and can_view_plan(user))


def can_edit_report(user: User, report: FollowUpReport) -> bool:
    """The responsible head or the secretariat, while the cycle is open and the report unsent."""
    return report.cycle.is_open and report.is_editable and can_update_status(user, report.area)


def can_review_report(user: User, report: FollowUpReport) -> bool:
    return can_manage_cycles(user) and report.cycle.is_open and report.is_submitted
