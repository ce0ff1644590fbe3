"""Shared set-up for the benchmarks: Django on a throwaway test database."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsplan.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def with_test_database(main) -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        main()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def demo_at(factor: int) -> None:
    """A fresh database with the demo (KTH plan, users, a cycle history), grown factor times."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    call_command("setup_demo", "--allow-without-debug", verbosity=0)
    grow(factor)


def grow(factor: int) -> None:
    """Copy every development area factor-1 times, with new keys, into the same plan."""
    from areas.models import DevelopmentArea

    originals = list(DevelopmentArea.objects.all())
    copies = []
    for n in range(1, factor):
        for area in originals:
            fields = {f.attname: getattr(area, f.attname) for f in area._meta.concrete_fields}
            fields.pop("id")
            copy = DevelopmentArea(**fields)
            copy.key, copy.order = f"{area.key}-{n}", area.order + 100 * n
            copies.append(copy)
    DevelopmentArea.objects.bulk_create(copies, batch_size=1000)


def floor_urlconf():
    """The project's URLs plus /floor/: one query's rows (every area's key and title)
    rendered in the same base template, the bare view pages are compared with."""
    from django.http import HttpResponse
    from django.template import engines
    from django.urls import path

    import vsplan.urls
    from areas.models import DevelopmentArea

    def floor(request):
        rows = list(DevelopmentArea.objects.values_list("key", "title"))
        template = engines["django"].from_string(
            '{% extends "base.html" %}{% block content %}<ul>{% for k, t in rows %}'
            "<li>{{ k }} {{ t }}</li>{% endfor %}</ul>{% endblock %}"
        )
        return HttpResponse(template.render({"rows": rows}, request))

    return type("urls", (), {"urlpatterns": [path("floor/", floor), *vsplan.urls.urlpatterns]})


def measure(
    client, method: str, url: str, htmx: bool = False, data=None, before=None
) -> tuple[float, int]:
    """Median server time of 5 requests after a warm-up, and the queries of one.

    ``before`` runs ahead of each request, untimed (e.g. to empty a cache)."""
    import statistics
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HX-Request": "true"} if htmx else {}
    times, queries = [], 0
    for attempt in range(6):
        payload = data() if callable(data) else data
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = getattr(client, method.lower())(url, payload or {}, headers=headers)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        if attempt:  # the first is the warm-up
            times.append(elapsed)
            queries = len(captured)
    return statistics.median(times), queries
