#!/usr/bin/env python
"""The plan page and My areas at 1× and 100×: HTML size and server time, interleaved.

    .venv/bin/python bench/plan_scale.py [--rounds 7] [--keep]

Builds two SQLite databases of its own in /tmp (never the test database): the demo
(KTH plan, 72 areas, users, a cycle history) and the demo grown 100 times (7,200
areas, ``_setup.grow``). Then, round after round, asks each page of each database once
(after a warm-up), alternating the two, so a busy machine weighs on both alike. Prints
each page's size and the range and median of its times; "whole" is the plan page as it
was before issue 22 (every area rendered: the limit set above the plan's size).
"""

import os
import statistics
import sys
import time
from pathlib import Path

DATABASES = {1: "/tmp/vsplan-bench-plan-1x.sqlite3", 100: "/tmp/vsplan-bench-plan-100x.sqlite3"}
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASES[1]}"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsplan.settings.test")

import django  # noqa: E402

django.setup()

PAGES = [
    # (label, user, url, htmx, settings)
    ("plan", "reader", "/", False, {}),
    ("plan, whole (as before)", "reader", "/", False, {"VSPLAN_PLAN_EXPAND_LIMIT": 10**9}),
    ("plan, INF opened (htmx)", "reader", "/?section=INF", True, {}),
    ("plan, filter INF", "reader", "/?support_area=INF", False, {}),
    ("plan, search 'system'", "reader", "/?q=system", False, {}),
    ("my areas", "head", "/my/", False, {}),
]


def use(factor: int) -> None:
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = DATABASES[factor]


def build() -> None:
    from django.core.management import call_command

    from _setup import grow

    for factor, name in DATABASES.items():
        Path(name).unlink(missing_ok=True)
        use(factor)
        call_command("migrate", verbosity=0)
        call_command("setup_demo", "--allow-without-debug", verbosity=0)
        grow(factor)


def main() -> None:
    from django.contrib.auth.models import User
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment

    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 7
    setup_test_environment()
    build()
    clients = {}
    for factor in DATABASES:
        use(factor)
        for name in ("reader", "head"):
            clients[factor, name] = Client()
            clients[factor, name].force_login(User.objects.get(username=name))
    times = {(label, f): [] for label, *_ in PAGES for f in DATABASES}
    sizes = {}
    for attempt in range(rounds + 1):
        for label, user, url, htmx, overrides in PAGES:
            for factor in DATABASES:
                use(factor)
                headers = {"HX-Request": "true"} if htmx else {}
                with override_settings(**overrides):
                    start = time.perf_counter()
                    response = clients[factor, user].get(url, headers=headers)
                    elapsed = time.perf_counter() - start
                assert response.status_code == 200, (label, factor, response.status_code)
                sizes[label, factor] = len(response.content)
                if attempt:  # the first round warms up
                    times[label, factor].append(elapsed)
    print(f"{rounds} rounds, interleaved; server time in ms: min–max (median)\n")
    print(f"{'page':<26} {'72: kB':>8} {'72: ms':>18} | {'7200: kB':>9} {'7200: ms':>20} "
          f"{'× own 1×':>9}")  # fmt: skip
    for label, *_ in PAGES:
        cells = []
        for factor in DATABASES:
            t = times[label, factor]
            cells.append((sizes[label, factor] / 1000, min(t), max(t), statistics.median(t)))
        (k1, lo1, hi1, m1), (k100, lo100, hi100, m100) = cells
        print(f"{label:<26} {k1:8.1f} {lo1 * 1000:6.1f}–{hi1 * 1000:5.1f} ({m1 * 1000:5.1f}) | "
              f"{k100:9.1f} {lo100 * 1000:7.1f}–{hi100 * 1000:6.1f} ({m100 * 1000:6.1f}) "
              f"{m100 / m1:9.1f}")  # fmt: skip
    if "--keep" not in sys.argv:
        for name in DATABASES.values():
            Path(name).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
