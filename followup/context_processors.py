from django.http import HttpRequest

from areas.roles import is_head

from . import permissions


def navigation(request: HttpRequest) -> dict:
    """What the navigation needs to know about the user (checked again in every view)."""
    user = request.user
    return {
        "user_is_head": lambda: is_head(user),
        "user_may_see_dashboard": lambda: permissions.can_view_dashboard(user),
        "user_may_see_audit": lambda: permissions.can_manage_cycles(user),
    }
