"""The test suite: fast hashing; the database comes from DATABASE_URL."""

import os

# Single sign-on is on in the tests, against the fake identity provider that
# tests/test_oidc.py serves (it points these endpoints at itself).
for _name, _value in {
    "OIDC_RP_CLIENT_ID": "vsplan-test",
    "OIDC_RP_CLIENT_SECRET": "test-only-secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "http://127.0.0.1:9/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "http://127.0.0.1:9/token",
    "OIDC_OP_USER_ENDPOINT": "http://127.0.0.1:9/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "http://127.0.0.1:9/jwks",
}.items():
    os.environ.setdefault(_name, _value)

from .base import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not memory, for SQLite's test database: tests that race two threads
# need two real connections to one database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}  # noqa: F405

# Tests that need a rendered report render it at once, inside the test. The browser
# journeys run a real background worker (tests/browser/conftest.py, `task_worker`):
# `manage.py worker` with these settings and this variable naming the test database
# it works on, with the database backend the app then enqueues into.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
if os.environ.get("VSPLAN_TEST_WORKER_DATABASE"):
    DATABASES["default"]["NAME"] = os.environ["VSPLAN_TEST_WORKER_DATABASE"]  # noqa: F405
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
