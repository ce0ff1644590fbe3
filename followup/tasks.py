"""Background work: rendering a follow-up report PDF off the web request.

Runs through Django's tasks API: the database-backed queue, worked by `manage.py
db_worker` (in development `./dev run` starts one next to the server); unit tests use the
immediate backend.
"""

import hashlib
import io
import logging

from django.tasks import task
from django.utils import timezone

from .models import GeneratedReport

logger = logging.getLogger(__name__)


def report_scope(stored: GeneratedReport):
    from areas.models import Department, SupportArea

    from .pdf import ReportScope

    if stored.scope == "support_area":
        return ReportScope("support_area", support_area=SupportArea.objects.get(code=stored.code))
    if stored.scope == "department":
        return ReportScope("department", department=Department.objects.get(code=stored.code))
    return ReportScope("programme")


@task
def render_stored_report(report_id: int) -> None:
    """Render and store one requested report; a failure is stored as the report's error."""
    from pypdf import PdfReader

    from .pdf import ReportTooLarge, build_report, render_pdf

    stored = GeneratedReport.objects.select_related("cycle__plan", "requested_by").get(pk=report_id)
    user = stored.requested_by
    try:
        data = build_report(
            cycle=stored.cycle,
            scope=report_scope(stored),
            produced_by=user.get_full_name() or user.get_username(),
            language=stored.language,
            today=timezone.localdate(),
        )
        filename, _content_type, content = render_pdf(data)
    except ReportTooLarge as error:
        stored.state, stored.error = GeneratedReport.State.FAILED, str(error)
    except Exception:
        logger.exception("rendering report %s failed", report_id)
        stored.state, stored.error = (
            GeneratedReport.State.FAILED,
            "The report could not be rendered.",
        )
    else:
        stored.filename, stored.content = filename, content
        stored.sha256 = hashlib.sha256(content).hexdigest()
        stored.pages = len(PdfReader(io.BytesIO(content)).pages)
        stored.state, stored.error = GeneratedReport.State.DONE, ""
    stored.finished_at = timezone.now()
    stored.save()
