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
