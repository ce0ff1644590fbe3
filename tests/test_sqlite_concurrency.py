"""Concurrent saves on SQLite wait for each other instead of failing with "database is
locked" (issue 21, finding 7): WAL, a busy timeout, and write transactions that take the
lock when they begin."""

import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking only"),
    pytest.mark.django_db(transaction=True),
]


def test_the_connection_is_in_wal_mode_with_a_busy_timeout():
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] == 20_000


def test_two_saves_that_read_then_write_at_once_both_succeed():
    """Each reads, thinks, then writes, in one transaction, at the same moment. With
    deferred transactions the second writer fails at once ("database is locked": its read
    snapshot is stale); with immediate ones it waits its turn."""
    errors, started = [], threading.Barrier(2)

    def save(name: str) -> None:
        try:
            started.wait()
            with transaction.atomic():
                Group.objects.count()  # the read a form does first
                time.sleep(0.3)
                Group.objects.create(name=name)
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(Group.objects.values_list("name", flat=True)) == ["a", "b"]
