"""Background work: rendering a follow-up report PDF off the web request.

Runs through Django's tasks API: the database-backed queue, worked in production by
`manage.py worker` (see vsplan/worker.py) and in development by the `db_worker` that
`./dev run` starts next to the server; unit tests use the immediate backend.
"""

import hashlib
import io
import logging
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from areas.models import Department, SupportArea

from .data_generation import dated_generation
from .models import StoredPdf

logger = logging.getLogger(__name__)


def pdf_scope(stored: StoredPdf):
    from .pdf import PdfScope

    if stored.scope == "support_area":
        return PdfScope("support_area", support_area=SupportArea.objects.get(code=stored.code))
    if stored.scope == "department":
        return PdfScope("department", department=Department.objects.get(code=stored.code))
    if stored.scope == "area":
        return PdfScope("area", area_key=stored.code)
    return PdfScope("programme")


@task
def render_stored_pdf(stored_pdf_id: int) -> None:
    """Render and store one requested PDF; a failure is stored as its error."""
    from pypdf import PdfReader

    from .pdf import PdfTooLarge, build_pdf_data, render_pdf  # heavy: only in the worker

    stored = StoredPdf.objects.select_related("cycle__plan", "requested_by").get(pk=stored_pdf_id)
    user = stored.requested_by
    # Read before the data: a write meanwhile leaves this copy named by the older generation,
    # so the next request makes it again rather than serve it as newer than it is.
    made_from = dated_generation()
    try:
        data = build_pdf_data(
            cycle=stored.cycle,
            scope=pdf_scope(stored),
            produced_by=user.get_full_name() or user.get_username(),
            language=stored.language,
            today=timezone.localdate(),
            # What its readers may read, no more (None: every report of the scope).
            readable=None if stored.text_of is None else frozenset(stored.text_of),
            cycle_text=stored.cycle_text,
        )
        filename, _content_type, content = render_pdf(data)
    except PdfTooLarge as error:
        stored.state, stored.error = StoredPdf.State.FAILED, str(error)
    except Exception:
        logger.exception("rendering PDF %s failed", stored_pdf_id)
        stored.state, stored.error = StoredPdf.State.FAILED, "The report could not be rendered."
    else:
        stored.filename, stored.content = filename, content
        stored.sha256 = hashlib.sha256(content).hexdigest()
        stored.pages = len(PdfReader(io.BytesIO(content)).pages)
        stored.state, stored.error = StoredPdf.State.DONE, ""
        stored.made_from = made_from
    stored.finished_at = timezone.now()
    stored.save()


# A report is rendered at most this many times for one request.
REPORT_ATTEMPTS = 3
# The web server's and the worker's clocks may differ by this much.
CLOCK_SKEW = timedelta(minutes=5)
# A request whose task never reached the queue (the database went away between
# the two writes) is queued again after this long.
NEVER_QUEUED = timedelta(minutes=10)


def reports_recover() -> None:
    """Retry, or fail with a message, each requested report no task will finish.

    The database queue's worker (vsplan.worker) calls this: it marks failed a
    render cut off by a lost database or a stopped worker, and the report,
    still waiting, is rendered again, up to REPORT_ATTEMPTS times; then it is
    failed with a message that says to ask again. So no report waits for ever.
    """
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    for stored in StoredPdf.objects.filter(state=StoredPdf.State.PENDING).only(
        "pk", "requested_at"
    ):
        tasks = DBTaskResult.objects.filter(
            task_path=render_stored_pdf.module_path, args_kwargs__args__0=stored.pk
        )
        if tasks.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists():
            continue  # waiting for a worker, or being rendered
        attempts = tasks.filter(enqueued_at__gte=stored.requested_at - CLOCK_SKEW).count()
        if attempts == 0 and stored.requested_at > now - NEVER_QUEUED:
            continue  # just requested: its task is on the way
        if attempts < REPORT_ATTEMPTS:
            logger.warning("report %s: its render did not finish; trying again", stored.pk)
            render_stored_pdf.enqueue(stored.pk)
            continue
        logger.error("report %s: failed %d times; giving up", stored.pk, attempts)
        StoredPdf.objects.filter(pk=stored.pk, state=StoredPdf.State.PENDING).update(
            state=StoredPdf.State.FAILED,
            error=f"The background worker could not finish it ({attempts} attempts). "
            "Ask for the report again; if it fails again, tell the administrator.",
            finished_at=now,
        )
