#!/usr/bin/env python
"""The dashboard's server time and queries at the KTH plan's size and at 100×, next to a floor.

    .venv/bin/python bench/dashboard.py

The floor is a bare Django view that renders one query's rows in the same base
template, measured in the same run. Median of 5 requests after a warm-up.
"""

from _setup import floor_urlconf, grow, measure, with_test_database


def main() -> None:
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client, override_settings

    results = {}
    with override_settings(ROOT_URLCONF=floor_urlconf()):
        for factor in (1, 100):
            call_command("flush", interactive=False, verbosity=0)
            call_command("setup_demo", "--allow-without-debug", verbosity=0)
            grow(factor)
            user = User.objects.create_user("bench")
            user.groups.add(Group.objects.get(name="council"))
            client = Client()
            client.force_login(user)
            results[factor] = (
                measure(client, "GET", "/dashboard/"),
                measure(client, "GET", "/floor/"),
            )
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
