"""WSGI entry point: `gunicorn vsplan.wsgi` (set DJANGO_SETTINGS_MODULE=vsplan.settings.prod)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vsplan.settings.dev")
application = get_wsgi_application()
