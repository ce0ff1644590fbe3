"""Local development: debug on, a throwaway key, SQLite unless DATABASE_URL says otherwise."""

from .base import *  # noqa: F403
from .env import env_bool, env_list, env_str

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# runserver logs each request in one line: "GET /my/ HTTP/1.1" 200 5120
LOGGING["loggers"]["django.server"]["level"] = "INFO"  # noqa: F405
# Background work (the report PDFs) goes to the database queue, as in production;
# `./dev run` starts `manage.py db_worker` next to the server, so no request waits on it.
