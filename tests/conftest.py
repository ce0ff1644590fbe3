"""The fixed cast of users and the KTH plan, shared by every test module."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from areas.models import Department

PASSWORD = "correct horse battery staple"
KTH_PLAN = Path(__file__).resolve().parent.parent / "fixtures" / "kth_plan.json"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (the dashboard keeps its panels in one)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


def plan_tables() -> list:
    """The models `loaddata kth_plan` writes, the fixture's own and their many-to-many
    tables, parents first."""
    names = dict.fromkeys(o["model"] for o in json.loads(KTH_PLAN.read_text(encoding="utf-8")))
    models = [apps.get_model(name) for name in names]
    return models + [
        field.remote_field.through for model in models for field in model._meta.local_many_to_many
    ]


def plan_rows() -> list[tuple]:
    """Every row of those tables, as (model, [column values ...]), in a fixed order."""
    return [
        (model, list(model.objects.order_by("pk").values(
            *[field.attname for field in model._meta.concrete_fields])))
        for model in plan_tables()
    ]  # fmt: skip


@pytest.fixture(scope="session")
def _kth_plan_rows(django_db_setup, django_db_blocker) -> list[tuple]:
    """What `manage.py loaddata kth_plan` writes: loaded once per test process, in a
    transaction that is rolled back at once, and kept as rows."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "kth_plan", verbosity=0)
        rows = plan_rows()
        transaction.set_rollback(True)
    return rows


def copy_plan(rows: list[tuple]) -> None:
    """Write the rows as `loaddata` left them: the same tables, keys and values, the
    database's sequences moved past them (the data token changes by itself: the database's
    triggers, followup/data_generation.py).
    """
    with transaction.atomic():
        for model, values in rows:
            model.objects.bulk_create(model(**row) for row in values)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [m for m, _ in rows]):
                cursor.execute(sql)


@pytest.fixture
def kth_plan(db, _kth_plan_rows):
    """The KTH action plan as loaded by `manage.py loaddata kth_plan`.

    Loaded once per test process and copied into each test's database, row for row (a
    test in tests/areas/test_kth_fixture.py holds the copy to what loaddata writes):
    about ten times faster than loading it for every test.
    """
    copy_plan(_kth_plan_rows)


def _user(username: str, *, group: str | None = None, heads: str | None = None, **extra) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, **extra)
    if group:
        user.groups.add(AuthGroup.objects.get_or_create(name=group)[0])
    if heads:
        Department.objects.get(code=heads).heads.add(user)
    return user


@pytest.fixture
def head(kth_plan) -> User:
    """Head of EDO, the department responsible for education administration (3.1)."""
    return _user("head", heads="EDO")


@pytest.fixture
def other_head(kth_plan) -> User:
    """Head of PD, a department with no part in most of 3.1."""
    return _user("other-head", heads="PD")


@pytest.fixture
def secretariat(kth_plan) -> User:
    return _user("secretariat", group="secretariat")


@pytest.fixture
def council(kth_plan) -> User:
    return _user("council", group="council")


@pytest.fixture
def reader(kth_plan) -> User:
    return _user("reader", group="reader")


@pytest.fixture
def admin_user(kth_plan) -> User:
    return _user("admin", is_staff=True, is_superuser=True)


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client
