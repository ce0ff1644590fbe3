"""Background work: rendering a follow-up report PDF off the web request.

Runs through Django's tasks API: the database-backed worker (`manage.py db_worker`)
in production, the immediate backend where settings say so.
"""

import hashlib
import io
import logging

from django.tasks import task
from django.utils import timezone

from areas.models import Department, SupportArea

from .models import StoredPdf

logger = logging.getLogger(__name__)


def pdf_scope(stored: StoredPdf):
    from .pdf import PdfScope

    if stored.scope == "support_area":
        return PdfScope("support_area", support_area=SupportArea.objects.get(code=stored.code))
    if stored.scope == "department":
        return PdfScope("department", department=Department.objects.get(code=stored.code))
    return PdfScope("programme")


@task
def render_stored_pdf(stored_pdf_id: int) -> None:
    """Render and store one requested PDF; a failure is stored as its error."""
    from pypdf import PdfReader

    from .pdf import PdfTooLarge, build_pdf_data, render_pdf  # heavy: only in the worker

    stored = StoredPdf.objects.select_related("cycle__plan", "requested_by").get(pk=stored_pdf_id)
    user = stored.requested_by
    try:
        data = build_pdf_data(
            cycle=stored.cycle,
            scope=pdf_scope(stored),
            produced_by=user.get_full_name() or user.get_username(),
            language=stored.language,
            today=timezone.localdate(),
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
    stored.finished_at = timezone.now()
    stored.save()
