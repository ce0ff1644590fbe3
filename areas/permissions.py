"""Who may see and change what in the plan. Every view asks here; templates only hide buttons.

The plan itself is a public decision: any signed-in, active user may read it.
Rules for changing it (department heads, the secretariat) grow here as the
features that need them land.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def can_view_plan(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)
