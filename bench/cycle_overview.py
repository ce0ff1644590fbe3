#!/usr/bin/env python
"""Queries and server time of the cycle overview at the KTH plan's size and at 100× (7,200 areas).

    .venv/bin/python bench/cycle_overview.py

Runs on a throwaway test database (SQLite unless DATABASE_URL says otherwise);
prints one line per size. On demand only: timings are noisy, query counts exact.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsplan.settings.test")

import django  # noqa: E402

django.setup()

from datetime import date  # noqa: E402

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from areas.models import ActionPlan, DevelopmentArea  # noqa: E402
from followup import cycles  # noqa: E402


def grow(factor: int) -> None:
    """Copy every area factor-1 times, with new keys, into the same plan."""
    originals = list(DevelopmentArea.objects.all())
    copies = []
    for n in range(1, factor):
        for area in originals:
            copy = DevelopmentArea(**{f.attname: getattr(area, f.attname) for f in area._meta.concrete_fields
                                      if f.attname != "id"})  # fmt: skip
            copy.key, copy.order = f"{area.key}-{n}", area.order + 100 * n
            copies.append(copy)
    DevelopmentArea.objects.bulk_create(copies, batch_size=1000)


def measure(factor: int) -> str:
    call_command("flush", interactive=False, verbosity=0)
    call_command("loaddata", "kth_plan", verbosity=0)
    grow(factor)
    plan = ActionPlan.objects.get()
    cycle = cycles.cycle_create(plan=plan, year=2025, name="U", opens_on=date(2026, 1, 1),
                                deadline=date(2026, 3, 1))  # fmt: skip
    cycles.cycle_open(cycle=cycle)
    user = User.objects.create_user("bench")
    user.groups.add(Group.objects.get_or_create(name="secretariat")[0])
    client = Client()
    client.force_login(user)
    client.get("/cycles/2025/")
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get("/cycles/2025/")
        elapsed = time.perf_counter() - start
    assert response.status_code == 200
    areas = DevelopmentArea.objects.count()
    return f"{areas:>6} areas, {cycle.reports.count():>6} reports: {len(queries)} queries, {elapsed * 1000:.0f} ms"


def main() -> None:
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        for factor in (1, 100):
            print(measure(factor))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
