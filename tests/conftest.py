"""The fixed cast of users and the KTH plan, shared by every test module."""

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import User
from django.core.management import call_command

from areas.models import Department

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with empty caches (the dashboard keeps its panels in one)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture
def kth_plan(db):
    """The KTH action plan as loaded by `manage.py loaddata kth_plan`."""
    call_command("loaddata", "kth_plan", verbosity=0)


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
