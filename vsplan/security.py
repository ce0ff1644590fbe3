"""Small security helpers shared by the settings."""

from django.http import HttpRequest

# Django's username field is at most 150 characters; anything longer is no one's.
USERNAME_LIMIT = 150


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The username django-axes records for a login attempt, made safe to store.

    Attempts carry whatever was posted: an overlong name or one with NUL bytes
    would otherwise make PostgreSQL refuse the row and the login page fail.
    """
    if credentials and "username" in credentials:
        raw = credentials.get("username")
    else:
        raw = request.POST.get("username", "") if request is not None else ""
    return str(raw or "").replace("\x00", "")[:USERNAME_LIMIT]
