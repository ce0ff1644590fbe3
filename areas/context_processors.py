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
