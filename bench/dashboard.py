#!/usr/bin/env python
"""The dashboard's server time and queries at the KTH plan's size and at 100×, next to a floor.

    .venv/bin/python bench/dashboard.py

The floor is a bare Django view that renders one query's rows in the same base
template, measured in the same run. Median of 5 requests after a warm-up. The
dashboard is measured as the council sees it (the panels from the cache while
the data is unchanged) and computed afresh (the cache emptied before each request).
"""

from _setup import demo_at, floor_urlconf, measure, with_test_database


def main() -> None:
    from django.contrib.auth.models import Group, User
    from django.core.cache import caches
    from django.test import Client, override_settings

    results = {}
    with override_settings(ROOT_URLCONF=floor_urlconf()):
        for factor in (1, 100):
            demo_at(factor)
            user = User.objects.create_user("bench")
            user.groups.add(Group.objects.get(name="council"))
            client = Client()
            client.force_login(user)
            results[factor] = (
                measure(client, "GET", "/dashboard/"),
                measure(client, "GET", "/dashboard/", before=caches["dashboard"].clear),
                measure(client, "GET", "/floor/"),
            )
    for label, index in (("cached", 0), ("computed", 1)):
        (d1, q1), (d100, q100) = results[1][index], results[100][index]
        f1 = results[1][2][0]
        print(
            f"{label:>9}:    72 areas {d1 * 1000:7.1f} ms ({q1} queries), {d1 / f1:5.1f}× the floor "
            f"(goal <= 2×); 7200 areas {d100 * 1000:7.1f} ms ({q100} queries), "
            f"{d100 / d1:5.1f}× its 1× time (goal <= 3×)"
        )
    print(
        f"    floor:    72 areas {results[1][2][0] * 1000:7.1f} ms; 7200 areas {results[100][2][0] * 1000:7.1f} ms"
    )


if __name__ == "__main__":
    with_test_database(main)
