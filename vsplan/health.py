"""Health check for load balancers and monitoring: is the app up, can it reach its database?"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

HEALTH_PATH = "/health/"


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database is unreachable")
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


class HealthCheckMiddleware:
    """Answer ``GET /health/`` first, before the HTTPS redirect and the allowed-hosts check.

    A checker asks gunicorn directly (``http://127.0.0.1:8000/health/``): over
    plain HTTP, with the server's address as the host. A health check must not
    redirect, and its answer holds nothing a host header could poison, so it is
    answered here for any host; every other URL goes through the whole chain.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH and request.method == "GET":
            return health(request)
        return self.get_response(request)
