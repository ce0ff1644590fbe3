from django.conf import settings
from django.http import HttpRequest


def sign_on(request: HttpRequest) -> dict:
    """Whether the login page offers single sign-on, and the button's text."""
    return {
        "oidc_enabled": settings.VSPLAN_OIDC_ENABLED,
        "oidc_label": settings.VSPLAN_OIDC_LABEL,
    }


def organisation(request: HttpRequest) -> dict:
    """The organisation's name (setting ``VSPLAN_ORGANISATION_NAME``), for the footer."""
    return {"organisation_name": settings.VSPLAN_ORGANISATION_NAME}
