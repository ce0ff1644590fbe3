"""The background worker that outlives its database (``manage.py worker``).

django-tasks-db's own ``db_worker`` exits with status 1 when the database goes
away, at start or in the middle of a run, and a task it was running stays
"running" for ever. This worker, built on its ``Worker`` (claiming, running and
recording tasks are the library's), instead:

- waits for the database at start and after losing it, and carries on;
- marks failed, with the reason, a task cut off by the lost database, and any
  task a worker has been running for longer than a render can take (that worker
  was killed, or its machine stopped);
- lets the follow-up app retry, or fail with a message, a report whose render
  ended that way (``followup.tasks.reports_recover``), so no report is "being
  made" for ever.
"""

import logging
import random
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger(__name__)

# What a lost or restarting database raises.
DATABASE_DOWN = (OperationalError, InterfaceError)
# Seconds between attempts to reach the database: quickly at first, then every 30 s.
RECONNECT_DELAYS = (1, 2, 5, 10, 30)
# How often the worker looks for tasks that no worker will finish.
RECOVERY_EVERY = 60


class TaskAbandoned(Exception):
    """Recorded as the error of a task that no worker is running any more."""


def stale_after() -> timedelta:
    """How long a task may run before its worker must be gone.

    A report's render is stopped after VSPLAN_PDF_MAX_SECONDS; two minutes more
    covers building its data and storing the result.
    """
    return timedelta(seconds=settings.VSPLAN_PDF_MAX_SECONDS + 120)


def tasks_abandon(*, interrupted: set[str] = frozenset(), older_than: timedelta) -> int:
    """Mark failed the running tasks no worker will finish; return how many.

    ``interrupted``: tasks this worker was running when it lost the database.
    Any task started more than ``older_than`` ago belongs to a worker that is gone.
    """
    cut_off = timezone.now() - older_than
    abandoned = 0
    for task in DBTaskResult.objects.running().order_by("started_at"):
        if str(task.pk) in interrupted:
            reason = "the worker lost its database connection while running it"
        elif task.started_at is not None and task.started_at < cut_off:
            reason = f"no worker finished it within {older_than.total_seconds():.0f} s"
        else:
            continue
        task.set_failed(TaskAbandoned(f"Abandoned: {reason}."))
        logger.warning("task %s (%s) abandoned: %s", task.pk, task.task_path, reason)
        abandoned += 1
    return abandoned


class ResilientWorker(Worker):
    """django-tasks-db's worker with a loop that waits for the database instead of dying."""

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep, **options):
        super().__init__(**options)
        self.sleep = sleep
        self.interrupted: set[str] = set()  # tasks cut off by a lost connection
        self.running_task_id: str | None = None
        self.reconnecting = False
        self.next_recovery = 0.0
        self.tasks_run = 0

    def run(self) -> None:
        logger.info("worker %s started (queues %s)", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            self.sleep(random.random())  # noqa: S311 - spreads workers started together
        while self.running:
            try:
                self.wait_for_database()
                self.recover_if_due()
                ran = self.run_next()
            except DATABASE_DOWN as error:
                self.lost_database(error)
                continue
            if self.max_tasks is not None and self.tasks_run >= self.max_tasks:
                return
            if not ran:
                if self.batch:
                    return
                if self.running:
                    self.sleep(self.interval)

    def run_next(self) -> bool:
        """Claim and run the next ready task; False when there is none."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task = tasks.get_locked()
            if task is not None:
                task.claim(self.worker_id)
        if task is None:
            return False
        self.running_task_id = str(task.pk)
        # The library's run_task records success or failure; when the database is
        # gone it cannot, and raises: the task id is then still set here.
        self.run_task(task)
        self.running_task_id = None
        self.tasks_run += 1
        return True

    def lost_database(self, error: Exception) -> None:
        if (
            isinstance(error, OperationalError)
            and error.args
            and is_locked_database_exception(error)
        ):
            return  # SQLite is busy: nothing is lost, try again
        if self.running_task_id is not None:
            self.interrupted.add(self.running_task_id)
            self.running_task_id = None
        logger.warning("lost the database (%s); reconnecting", str(error).strip() or error)
        self.reconnecting = True
        try:
            connection.close()
        except DATABASE_DOWN:
            pass
        self.next_recovery = 0.0  # recover as soon as it is back

    def wait_for_database(self) -> None:
        """Return once the database answers; until then try again, ever less often."""
        attempt = 0
        while True:
            try:
                connection.ensure_connection()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
            except DATABASE_DOWN as error:
                if attempt == 0 or attempt % 10 == 0:
                    logger.warning("waiting for the database: %s", str(error).strip() or error)
                try:
                    connection.close()
                except DATABASE_DOWN:
                    pass
                self.sleep(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
                attempt += 1
                continue
            if attempt or self.reconnecting:
                logger.warning("the database is back (attempt %d); carrying on", attempt + 1)
                self.reconnecting = False
            return

    def recover_if_due(self) -> None:
        from followup.tasks import reports_recover

        if time.monotonic() < self.next_recovery:
            return
        tasks_abandon(interrupted=self.interrupted, older_than=stale_after())
        self.interrupted.clear()
        reports_recover()
        self.next_recovery = time.monotonic() + RECOVERY_EVERY
