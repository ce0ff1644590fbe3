"""One log format for every process: JSON lines, each with its time zone.

The app (Django's LOGGING), the worker and gunicorn (its error and access logs,
``logger_class`` in gunicorn.conf.py) all write one JSON object per line:
``time`` (ISO 8601 in UTC, with its offset, to the millisecond), ``level``,
``logger``, ``message``, and the event's own fields (an access log line: the
method, path, status, duration and the client's address). UTC, because the
processes do not share a local time zone: Django sets its own (TIME_ZONE),
gunicorn's master keeps the system's.
"""

from datetime import UTC, datetime

from gunicorn import glogging
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


class JsonFormatter(BaseJsonFormatter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("rename_fields", RENAMED)
        super().__init__(*args or (FIELDS,), **kwargs)

    def formatTime(self, record, datefmt=None) -> str:  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class GunicornLogger(glogging.Logger):
    """gunicorn's logger, writing JSON lines: its own messages and one per request."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = JsonFormatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        fields = {
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING", ""),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            # The connection's address (the proxy), and the client the proxy names.
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR", ""),
            "user_agent": environ.get("HTTP_USER_AGENT", ""),
            "referer": environ.get("HTTP_REFERER", ""),
        }
        self.access_log.info(
            "%s %s %s", fields["method"], fields["path"], fields["status"], extra=fields
        )
