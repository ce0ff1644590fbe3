"""status_update_create: exactly one of two racing saves wins, on SQLite and PostgreSQL."""

import threading

import pytest
from django.db import connection

from areas.models import DevelopmentArea
from followup.models import StatusUpdate
from followup.services import StatusConflict, status_update_create


def _save(area_key: str, user, version: int, progress: str) -> StatusUpdate:
    area = DevelopmentArea.objects.get(key=area_key)
    return status_update_create(area=area, author=user, seen_version=version, status="ongoing",
                                traffic_light="green", progress=progress)  # fmt: skip


@pytest.mark.django_db
def test_two_saves_from_the_same_version_one_wins_one_is_told(head, secretariat):
    first = _save("UTB-01", secretariat, 0, "first")
    with pytest.raises(StatusConflict) as error:
        _save("UTB-01", head, 0, "second")
    assert error.value.latest == first
    assert list(StatusUpdate.objects.values_list("progress", flat=True)) == ["first"]
    assert DevelopmentArea.objects.get(key="UTB-01").status_version == 1


@pytest.mark.django_db(transaction=True)
def test_two_threads_racing_save_exactly_once(kth_plan, django_user_model):
    users = [django_user_model.objects.create_user(f"racer{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def race(user) -> None:
        try:
            barrier.wait()
            _save("UTB-01", user, 0, user.username)
            outcomes.append("saved")
        except StatusConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["conflict", "saved"]
    assert StatusUpdate.objects.count() == 1
    assert DevelopmentArea.objects.get(key="UTB-01").status_version == 1


@pytest.mark.django_db
def test_the_revised_end_is_read_with_its_precision(head):
    area = DevelopmentArea.objects.get(key="UTB-01")
    update = status_update_create(area=area, author=head, seen_version=0, status="ongoing",
                                  traffic_light="green", revised_end_text="maj 2025")  # fmt: skip
    assert (str(update.revised_end), update.revised_end_precision) == ("2025-05-31", "month")


@pytest.mark.django_db
def test_the_database_refuses_amber_without_a_reason_even_past_the_form(head):
    from django.db import IntegrityError

    area = DevelopmentArea.objects.get(key="UTB-01")
    with pytest.raises(IntegrityError):
        status_update_create(area=area, author=head, seen_version=0, status="ongoing",
                             traffic_light="amber")  # fmt: skip
    assert not StatusUpdate.objects.exists()
    assert DevelopmentArea.objects.get(key="UTB-01").status_version == 0
