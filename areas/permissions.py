"""Who may see and change what. Every view asks here; templates only hide buttons.

Roles:

* **department head**: heads one or more departments (``Department.heads``). Updates
  the status of the areas their department is responsible for; comments on the
  areas their department takes part in.
* **secretariat** (group ``secretariat``): updates and comments on every area, and
  keeps the plan in the admin (responsible departments, heads).
* **council** (group ``council``) and **reader** (group ``reader``): read the plan,
  its status and history.
* **admin** (superuser): everything.

The plan is a public decision: any signed-in, active user reads it. Only the
current revision of a plan can be changed; earlier revisions are read-only.

Answers are cached on the user object, so a page asks the database once per
request however many areas it shows.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from .models import DevelopmentArea

SECRETARIAT = "secretariat"
COUNCIL = "council"
READER = "reader"
ROLE_GROUPS = [SECRETARIAT, COUNCIL, READER]

User = AbstractBaseUser | AnonymousUser


def _group_names(user: User) -> frozenset[str]:
    if not hasattr(user, "_vsplan_groups"):
        user._vsplan_groups = frozenset(user.groups.values_list("name", flat=True))
    return user._vsplan_groups


def headed_department_ids(user: User) -> frozenset[int]:
    """The departments the user heads (empty for anyone else)."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_vsplan_headed"):
        user._vsplan_headed = frozenset(user.headed_departments.values_list("pk", flat=True))
    return user._vsplan_headed


def can_view_plan(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_secretariat(user: User) -> bool:
    """Secretariat rights: the secretariat group, and administrators."""
    if not can_view_plan(user):
        return False
    return user.is_superuser or SECRETARIAT in _group_names(user)


def is_head(user: User) -> bool:
    return can_view_plan(user) and bool(headed_department_ids(user))


def can_edit_area(user: User, area: DevelopmentArea) -> bool:
    """May the user add a status update to this area?"""
    if not can_view_plan(user) or not area.plan.is_current:
        return False
    return is_secretariat(user) or area.responsible_department_id in headed_department_ids(user)


def can_comment_on_area(user: User, area: DevelopmentArea) -> bool:
    """May the user comment? Editors may, and heads of participating departments.

    Reads ``area.participating_departments.all()``: prefetch it where many areas are asked.
    """
    if can_edit_area(user, area):
        return True
    if not can_view_plan(user) or not area.plan.is_current:
        return False
    headed = headed_department_ids(user)
    return any(d.pk in headed for d in area.participating_departments.all())


def areas_of_head(user: User, areas: QuerySet[DevelopmentArea]) -> QuerySet[DevelopmentArea]:
    """The areas whose responsible or participating department the user heads."""
    headed = headed_department_ids(user)
    return areas.filter(
        Q(responsible_department__in=headed) | Q(participating_departments__in=headed)
    ).distinct()


# -- follow-up cycles ---------------------------------------------------------


def can_manage_cycles(user: User) -> bool:
    """Create, open, close and publish cycles; review reports; send reminders."""
    return is_secretariat(user)


def can_view_cycle_overview(user: User) -> bool:
    return is_secretariat(user) or (can_view_plan(user) and COUNCIL in _group_names(user))


def can_view_report(user: User, report) -> bool:
    """Published reports are public; before that, the secretariat, the council and the heads
    of the area's responsible or participating departments see them."""
    if not can_view_plan(user):
        return False
    if report.cycle.state == "published" or can_view_cycle_overview(user):
        return True
    headed = headed_department_ids(user)
    area = report.area
    return area.responsible_department_id in headed or any(
        d.pk in headed for d in area.participating_departments.all()
    )


def can_edit_report(user: User, report) -> bool:
    """The responsible head or the secretariat, while the cycle is open and the report unsent."""
    return (
        report.cycle.state == "open"
        and report.state in ("not_started", "draft", "returned")
        and can_edit_area(user, report.area)
    )


def can_revise_plan(user: User) -> bool:
    """May the user import a revised plan (and see the change sets of imports)?"""
    return is_secretariat(user)


def can_view_plan_import(user: User, plan_import) -> bool:
    """An upload is its uploader's work in progress (and an administrator's)."""
    return can_revise_plan(user) and (user.is_superuser or plan_import.uploaded_by_id == user.pk)
