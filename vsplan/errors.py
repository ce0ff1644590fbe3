"""Error pages that need nothing from the database: a request that cannot be read (400),
and server errors.

When the database is unreachable (restarting, failing over), a request fails
cleanly with 503 and Retry-After instead of a 500, and the app recovers by
itself once it is back (connections are health-checked before use).
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: what could not be read, and what to do. An upload's form is most often refused
    for a file name too long to parse (Django reads at most 1,024 bytes of a part's headers)."""
    context = {
        "upload": isinstance(exception, MultiPartParserError),
        "back": request.path,
    }
    try:
        body = render_to_string("400.html", context)
    except Exception:  # noqa: BLE001 - the page about a bad request must not fail itself
        # (its stylesheet's name comes from the static files' manifest, which a server
        # started before collectstatic lacks): the same words, without the page around them.
        logger.warning("the 400 page could not be rendered", exc_info=True)
        body = render_to_string("400_plain.html", context)
    return HttpResponse(body, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", error)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
