"""The background worker outlives its database, and no report is "being made" for ever."""

import io
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pypdf import PdfWriter

from areas.models import ActionPlan
from followup import cycles
from followup.models import StoredPdf
from followup.tasks import REPORT_ATTEMPTS, render_stored_pdf, reports_recover
from tests.test_settings import PROD
from vsplan.worker import ResilientWorker, tasks_abandon

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def requested(database_queue, kth_plan, secretariat) -> StoredPdf:
    """A programme report as the PDF button asks for it: waiting, its render queued."""
    cycle = cycles.cycle_create(plan=ActionPlan.objects.get(), year=2025, name="Uppföljning 2025",
                                opens_on=date(2026, 1, 1), deadline=date(2026, 3, 1))  # fmt: skip
    stored = StoredPdf.objects.create(
        cycle=cycle, scope="programme", language="sv", requested_by=secretariat
    )
    render_stored_pdf.enqueue(stored.pk)
    return stored


def _worker(**options) -> tuple[ResilientWorker, list[float]]:
    slept: list[float] = []
    defaults = {"queue_names": ["default"], "excluded_queue_names": [], "interval": 1,
                "batch": True, "backend_name": "default", "startup_delay": False,
                "max_tasks": None, "worker_id": "test-worker"}  # fmt: skip
    return ResilientWorker(sleep=slept.append, **defaults | options), slept


def _pdf() -> bytes:
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def _fails_once(original, error):
    calls = []

    def side_effect(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return original(*args, **kwargs)

    return side_effect


LOST = OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def worker_log():
    """What the worker logs, caught at its own logger: what reaches the root logger
    (pytest's caplog) depends on what other tests in the process did to logging."""
    lines: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: lines.append(record.getMessage())
    worker_logger = logging.getLogger("vsplan.worker")
    level, disabled = worker_logger.level, worker_logger.disabled
    worker_logger.addHandler(handler)
    worker_logger.setLevel(logging.WARNING)
    # Whatever another test in the process did to logging (a dictConfig disables the
    # loggers that existed; logging.disable silences a level everywhere) is undone here.
    worker_logger.disabled = False
    silenced = logging.root.manager.disable
    logging.disable(logging.NOTSET)
    assert worker_logger.isEnabledFor(logging.WARNING)
    yield lines
    worker_logger.removeHandler(handler)
    worker_logger.setLevel(level)
    worker_logger.disabled = disabled
    logging.disable(silenced)


@pytest.mark.django_db(transaction=True)
def test_the_worker_loop_survives_a_lost_database(database_queue, worker_log):
    worker, slept = _worker()
    with (
        mock.patch(
            "django_tasks_db.models.DBTaskResultQuerySet.get_locked", side_effect=[LOST, None]
        ),
    ):
        worker.run()  # batch: returns once the queue is empty
    assert worker_log == [
        "lost the database (server closed the connection unexpectedly); reconnecting",
        "the database is back (attempt 1); carrying on",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_worker_waits_while_the_database_is_away(database_queue, worker_log):
    worker, slept = _worker()
    real = __import__("django.db", fromlist=["connection"]).connection.ensure_connection
    attempts = iter([LOST, LOST, LOST])

    def ensure_connection():
        error = next(attempts, None)
        if error:
            raise error
        real()

    with mock.patch("django.db.connection.ensure_connection", side_effect=ensure_connection):
        worker.wait_for_database()
    assert slept == [1, 2, 5]
    assert worker_log == [
        "waiting for the database: server closed the connection unexpectedly",
        "the database is back (attempt 4); carrying on",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_render_cut_off_by_the_lost_database_is_rendered_again(requested):
    worker, _slept = _worker()
    with (
        mock.patch("followup.pdf.render_pdf", return_value=("r.pdf", "application/pdf", _pdf())),
        # Storing the PDF fails: the database went away ...
        mock.patch.object(
            StoredPdf,
            "save",
            autospec=True,
            side_effect=_fails_once(StoredPdf.save, LOST),
        ),  # fmt: skip
        # ... and so does recording the task's failure, so the worker loses its connection.
        mock.patch.object(
            DBTaskResult,
            "set_failed",
            autospec=True,
            side_effect=_fails_once(DBTaskResult.set_failed, LOST),
        ),  # fmt: skip
    ):
        worker.run()
    requested.refresh_from_db()
    assert requested.state == StoredPdf.State.DONE and requested.pages == 1
    first, second = DBTaskResult.objects.order_by("enqueued_at")
    assert first.status == TaskResultStatus.FAILED
    assert first.exception_class_path == "vsplan.worker.TaskAbandoned"
    assert "lost its database connection" in first.traceback
    assert second.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db
def test_a_task_whose_worker_died_is_abandoned_after_the_longest_render(requested, settings):
    task = DBTaskResult.objects.get()
    task.claim("a-worker-that-was-killed")
    DBTaskResult.objects.filter(pk=task.pk).update(
        started_at=timezone.now() - timedelta(seconds=settings.VSPLAN_PDF_MAX_SECONDS + 121)
    )
    render_stored_pdf.enqueue(requested.pk)
    recent = DBTaskResult.objects.ready().get()
    recent.claim("a-live-worker")
    assert tasks_abandon(older_than=timedelta(seconds=settings.VSPLAN_PDF_MAX_SECONDS + 120)) == 1
    task.refresh_from_db()
    recent.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and "no worker finished it" in task.traceback
    assert recent.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_failed_render_is_queued_again(requested):
    DBTaskResult.objects.update(status=TaskResultStatus.FAILED)
    reports_recover()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    requested.refresh_from_db()
    assert requested.state == StoredPdf.State.PENDING


@pytest.mark.django_db
def test_a_report_whose_renders_keep_failing_is_failed_with_a_message(requested, client):
    for _ in range(REPORT_ATTEMPTS - 1):
        render_stored_pdf.enqueue(requested.pk)
    DBTaskResult.objects.update(status=TaskResultStatus.FAILED)
    reports_recover()
    requested.refresh_from_db()
    assert requested.state == StoredPdf.State.FAILED
    assert "Ask for the report again" in requested.error
    assert DBTaskResult.objects.count() == REPORT_ATTEMPTS  # nothing queued again
    client.force_login(requested.requested_by)
    page = client.get(f"/cycles/2025/pdf/{requested.pk}/").content.decode()
    assert "Ask for the report again" in page and "hx-trigger" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("status", [TaskResultStatus.READY, TaskResultStatus.RUNNING])
def test_a_report_waiting_for_or_in_its_render_is_left_alone(requested, status):
    DBTaskResult.objects.update(status=status, started_at=timezone.now())
    reports_recover()
    assert DBTaskResult.objects.count() == 1
    requested.refresh_from_db()
    assert requested.state == StoredPdf.State.PENDING


@pytest.mark.django_db
def test_a_request_whose_task_never_reached_the_queue_is_queued_again(requested):
    DBTaskResult.objects.all().delete()
    reports_recover()
    assert DBTaskResult.objects.count() == 0  # just asked for: its task may be on the way
    StoredPdf.objects.update(requested_at=timezone.now() - timedelta(minutes=11))
    reports_recover()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_the_worker_waits_for_an_unreachable_database_at_start_and_stops_on_sigterm(tmp_path):
    env = {"PATH": os.environ["PATH"], **PROD,
           "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nowhere"}  # fmt: skip
    err = tmp_path / "stderr"
    with err.open("w") as stderr:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--no-startup-delay"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
        try:
            for _ in range(200):
                if "waiting for the database" in err.read_text() or worker.poll() is not None:
                    break
                time.sleep(0.1)
            assert worker.poll() is None, err.read_text()  # still alive, waiting
            assert "waiting for the database" in err.read_text()
        finally:
            worker.send_signal(signal.SIGTERM)
            status = worker.wait(timeout=30)
    assert status == 0, err.read_text()
