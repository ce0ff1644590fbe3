"""WSGI entry point: `gunicorn vsplan.wsgi` (set DJANGO_SETTINGS_MODULE=vsplan.settings.prod)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from vsplan.settings.env import EnvironmentProblem

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsplan.settings.dev")
try:
    application = get_wsgi_application()
except EnvironmentProblem as problem:
    # A mistake in the environment, not in the code: one line, no traceback. Exit
    # status 4 is gunicorn's "the app failed to load", on which it stops instead of
    # starting the worker again and again.
    print(f"vsplan: {problem}", file=sys.stderr, flush=True)
    raise SystemExit(4) from None
