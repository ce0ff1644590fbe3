"""Who may read and change the plan. Every view asks here; templates only hide buttons.

The plan is a public decision: any signed-in, active user reads it. The
secretariat revises it (imports a revised plan, keeps it in the admin). Only the
current revision changes (``DevelopmentArea.is_changeable``); earlier ones are
read-only. Who may report on the plan is the follow-up's business
(``followup.permissions``).
"""

from .roles import User, is_secretariat, is_signed_in


def can_view_plan(user: User) -> bool:
    return is_signed_in(user)


def can_revise_plan(user: User) -> bool:
    """May the user import a revised plan (and see the change sets of imports)?"""
    return is_secretariat(user)


def can_view_plan_import(user: User, plan_import) -> bool:
    """An upload is its uploader's work in progress (and an administrator's)."""
    return can_revise_plan(user) and (user.is_superuser or plan_import.uploaded_by_id == user.pk)
