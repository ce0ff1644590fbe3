#!/usr/bin/env python
"""Server time and queries of each main page and of the HTMX status update, next to a floor.

    .venv/bin/python bench/pages.py

At the KTH plan's size (72 areas, the demo history) and at 100× (7,200 areas,
generated). The floor is a bare Django view on the same stack that renders one
query's rows (every area's key and title) in the same base template, measured
in the same run. Each figure is the median of 5 requests after a warm-up.
Prints one line per page: time, queries, ratio to the floor, growth from 1×.
"""

import json
import sys

from _setup import demo_at, floor_urlconf, measure, with_test_database

PAGES = [
    # (label, user, method, url, htmx)
    ("plan", "reader", "GET", "/", False),
    ("plan, filtered (htmx)", "reader", "GET", "/?support_area=INF&q=system", True),
    # Above VSPLAN_PLAN_EXPAND_LIMIT (at 100×) the plan comes collapsed; a support area
    # opens in place a page at a time.
    ("plan, INF opened (htmx)", "reader", "GET", "/?section=INF", True),
    ("area", "reader", "GET", "/areas/UTB-01/", False),
    ("my areas", "head", "GET", "/my/", False),
    ("status form (htmx)", "head", "GET", "/areas/UTB-01/status/", True),
    ("status update (htmx)", "head", "POST", "/areas/UTB-01/status/", True),
    ("dashboard", "council", "GET", "/dashboard/", False),
    ("cycle overview", "council", "GET", "/cycles/{year}/", False),
    ("report", "secretariat", "GET", "/cycles/{year}/reports/UTB-01/", False),
    ("revisions", "reader", "GET", "/plan/revisions/", False),
]


def run() -> dict:
    from django.contrib.auth.models import User
    from django.test import Client, override_settings

    from areas.models import DevelopmentArea
    from followup.models import FollowUpCycle

    results = {}
    with override_settings(ROOT_URLCONF=floor_urlconf()):
        for factor in (1, 100):
            demo_at(factor)
            year = FollowUpCycle.objects.get(state="open").year
            clients = {}
            for name in ("reader", "head", "council", "secretariat"):
                clients[name] = Client()
                clients[name].force_login(User.objects.get(username=name))
            row = {"floor": measure(clients["reader"], "GET", "/floor/", False)}

            def status_data():
                area = DevelopmentArea.objects.get(key="UTB-01")
                return {"version": area.status_version, "status": "ongoing",
                        "traffic_light": "green", "progress": "Bench"}  # fmt: skip

            for label, user, method, url, htmx in PAGES:
                data = status_data if method == "POST" else None
                row[label] = measure(clients[user], method, url.format(year=year), htmx, data)
            results[factor] = row
    return results


def main() -> None:
    results = run()
    if "--json" in sys.argv:
        print(json.dumps(results))
        return
    floor1, floor100 = results[1]["floor"][0], results[100]["floor"][0]
    print(f"floor: {floor1 * 1000:.1f} ms at 72 areas, {floor100 * 1000:.1f} ms at 7,200\n")
    print(f"{'page':<24} {'72: ms':>8} {'q':>4} {'× floor':>8} | {'7200: ms':>9} {'q':>4} "
          f"{'× floor':>8} {'× own 1×':>9}")  # fmt: skip
    for label, *_ in PAGES:
        (t1, q1), (t100, q100) = results[1][label], results[100][label]
        print(f"{label:<24} {t1 * 1000:8.1f} {q1:4d} {t1 / floor1:8.1f} | {t100 * 1000:9.1f} "
              f"{q100:4d} {t100 / floor100:8.1f} {t100 / t1:9.1f}")  # fmt: skip


if __name__ == "__main__":
    with_test_database(main)
