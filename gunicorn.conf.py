"""gunicorn's configuration for vsplan: `gunicorn vsplan.wsgi` reads this file from here.

Every value can be changed from the environment without editing the file.
"""

import importlib
import multiprocessing
import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers, two per core plus one, is gunicorn's advice for an app
# that waits mostly on its database.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Restart workers now and then so that no leak grows without bound.
max_requests = 2000
max_requests_jitter = 200
# Both logs to standard output/error (the journal); as JSON lines like the app's
# (vsplan/logformat.py) unless DJANGO_LOG_FORMAT=text.
accesslog = "-"
errorlog = "-"
if os.environ.get("DJANGO_LOG_FORMAT", "json") == "json":
    logger_class = "vsplan.logformat.GunicornLogger"
# The proxies allowed to say a request came over HTTPS (X-Forwarded-Proto): the
# app's own list of trusted proxies (VSPLAN_TRUSTED_PROXIES), so that one
# setting says whom to believe.
forwarded_allow_ips = os.environ.get(
    "GUNICORN_FORWARDED_ALLOW_IPS", os.environ.get("VSPLAN_TRUSTED_PROXIES") or "127.0.0.1"
)
raw_env = [
    "DJANGO_SETTINGS_MODULE=" + os.environ.get("DJANGO_SETTINGS_MODULE", "vsplan.settings.prod")
]


def on_starting(server) -> None:
    """Read the settings once before any worker starts: a missing or malformed variable
    then stops gunicorn with one line (exit status 4), instead of every worker failing
    at once with gunicorn's own traceback."""
    from vsplan.settings.env import EnvironmentProblem

    try:
        importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    except EnvironmentProblem as problem:
        print(f"vsplan: {problem}", file=sys.stderr, flush=True)
        raise SystemExit(4) from None
