"""Local development: debug on, a throwaway key, SQLite unless DATABASE_URL says otherwise."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_list

# manage.py, the WSGI module and the worker fall back to these settings when
# DJANGO_SETTINGS_MODULE is not set. A secret key in the environment means a
# deployment's environment file is loaded (production requires one; development
# never reads one), so a missing DJANGO_SETTINGS_MODULE would silently run the
# server or the worker with DEBUG on: refuse, and say what to set.
if "DJANGO_SECRET_KEY" in os.environ:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is set, so this is a deployment, but DJANGO_SETTINGS_MODULE is "
        f"{os.environ.get('DJANGO_SETTINGS_MODULE', 'vsplan.settings.dev')!r} (development, "
        "DEBUG on; the default when it is not set). Add DJANGO_SETTINGS_MODULE="
        "vsplan.settings.prod to the environment file (docs/deploy.md), or unset "
        "DJANGO_SECRET_KEY to develop."
    )

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# runserver logs each request in one line: "GET /my/ HTTP/1.1" 200 5120
LOGGING["loggers"]["django.server"]["level"] = "INFO"  # noqa: F405
# Background work (the report PDFs) goes to the database queue, as in production;
# `./dev run` starts `manage.py db_worker` next to the server, so no request waits on it.
