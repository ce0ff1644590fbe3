from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from vsplan.worker import ResilientWorker


class Command(DbWorkerCommand):
    help = (
        "Run the background worker (report PDFs): django-tasks-db's db_worker, but it waits "
        "for the database and reconnects instead of exiting, and retries or fails the tasks "
        "a lost database or a stopped worker cut off. Stop it with SIGTERM: the task it is "
        "running is finished first."
    )

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, **options) -> None:
        self.configure_logging(verbosity)
        worker = ResilientWorker(
            queue_names=queue_name.split(","),
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
        )
        # No --reload: this is the production worker (db_worker reloads in development).
        worker.configure_signals()
        worker.run()
