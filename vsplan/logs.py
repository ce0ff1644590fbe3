"""What the logs leave out: tracebacks of refusals the app gives on purpose."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A 4xx answer (403 forbidden, 404 not found, 400 bad request) is the app doing its
    job: its one line, with the path, says all there is to say. Django logs some of them
    with the exception that caused them; that traceback is dropped here, so each such
    answer is one line. Server errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
