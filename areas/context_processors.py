from django.conf import settings
from django.http import HttpRequest

from . import permissions


def roles(request: HttpRequest) -> dict:
    """What the navigation needs to know about the user (checked again in every view)."""
    user = request.user
    return {
        "user_is_head": lambda: permissions.is_head(user),
        "user_may_see_dashboard": lambda: (
            permissions.is_head(user) or permissions.can_view_cycle_overview(user)
        ),
    }


def sign_on(request: HttpRequest) -> dict:
    """Whether the login page offers single sign-on, and the button's text."""
    return {
        "oidc_enabled": settings.VSPLAN_OIDC_ENABLED,
        "oidc_label": settings.VSPLAN_OIDC_LABEL,
    }
