"""`manage.py setup_demo`: the KTH plan and one user per role, and a second run changes nothing."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from areas.demo import DEMO_PASSWORD
from areas.models import Department, DevelopmentArea


def _run(capsys) -> str:
    call_command("setup_demo", "--allow-without-debug")
    return capsys.readouterr().out


@pytest.mark.django_db
def test_first_run_loads_the_plan_and_creates_a_user_per_role(capsys, client):
    out = _run(capsys)
    assert "loaded the KTH action plan" in out
    assert DevelopmentArea.objects.count() == 72
    users = {u.username: u for u in User.objects.all()}
    assert set(users) == {"head", "secretariat", "council", "reader", "admin"}
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert list(users["head"].headed_departments.values_list("code", flat=True)) == ["EDO"]
    assert list(users["council"].groups.values_list("name", flat=True)) == ["council"]
    for username in users:
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.post("/logout/")


@pytest.mark.django_db
def test_second_run_changes_nothing_and_says_so(capsys):
    _run(capsys)
    head = User.objects.get(username="head")
    head.set_password("changed by the user")
    head.save()
    before = (
        list(User.objects.order_by("pk").values_list("username", "password")),
        DevelopmentArea.objects.count(),
        Department.objects.count(),
    )
    out = _run(capsys)
    assert "Nothing to do" in out
    after = (
        list(User.objects.order_by("pk").values_list("username", "password")),
        DevelopmentArea.objects.count(),
        Department.objects.count(),
    )
    assert after == before


@pytest.mark.django_db
def test_refuses_to_create_published_passwords_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="published password"):
        call_command("setup_demo")
    assert not User.objects.exists()
