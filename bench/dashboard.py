#!/usr/bin/env python
"""The dashboard's server time and queries at the KTH plan's size and at 100×, next to a floor.

    .venv/bin/python bench/dashboard.py

The floor is a bare Django view that renders one query's rows in the same base
template, measured in the same run. Median of 5 requests after a warm-up.
"""

import statistics
import time

from _setup import grow, with_test_database


def measure(client, url: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times, queries = [], 0
    for _ in range(5):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, url
        queries = len(captured)
    return statistics.median(times), queries


def main() -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.http import HttpResponse
    from django.template import engines
    from django.test import Client, override_settings
    from django.urls import path

    from areas.models import DevelopmentArea

    def floor(request):
        rows = list(DevelopmentArea.objects.values_list("key", "title"))
        template = engines["django"].from_string(
            '{% extends "base.html" %}{% block content %}<ul>{% for k, t in rows %}<li>{{ k }} {{ t }}</li>{% endfor %}</ul>{% endblock %}'
        )
        return HttpResponse(template.render({"rows": rows}, request))

    import vsplan.urls

    urls = type("urls", (), {"urlpatterns": [path("floor/", floor), *vsplan.urls.urlpatterns]})
    results = {}
    with override_settings(ROOT_URLCONF=urls):
        for factor in (1, 100):
            call_command("flush", interactive=False, verbosity=0)
            call_command("setup_demo", "--allow-without-debug", verbosity=0)
            grow(factor)
            user = User.objects.create_user("bench")
            user.groups.add(Group.objects.get(name="council"))
            client = Client()
            client.force_login(user)
            results[factor] = (measure(client, "/dashboard/"), measure(client, "/floor/"))
    (d1, q1), (f1, _) = results[1]
    (d100, q100), (f100, _) = results[100]
    print(
        f"    72 areas: dashboard {d1 * 1000:.0f} ms ({q1} queries), floor {f1 * 1000:.0f} ms: {d1 / f1:.1f}× the floor (goal <= 2×)"
    )
    print(
        f"  7200 areas: dashboard {d100 * 1000:.0f} ms ({q100} queries), floor {f100 * 1000:.0f} ms: {d100 / d1:.1f}× its 1× time (goal <= 3×)"
    )


if __name__ == "__main__":
    with_test_database(main)
