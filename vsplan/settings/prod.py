"""Production: every secret and host comes from the environment, and is required."""

from .base import *  # noqa: F403
from .env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
    require,
)

# Every one that is missing is named at once. DATABASE_URL: never fall back to the
# SQLite file in production.
require(
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "VSPLAN_SITE_URL",
    "VSPLAN_TRUSTED_PROXIES",
)

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# The site's address as its users reach it: links in e-mails start with it.
VSPLAN_SITE_URL = env_url("VSPLAN_SITE_URL")

# Behind the reverse proxy: the proxies to believe about the client's address and
# scheme must be named (an empty value if there is none), so that a forgotten
# setting can never make every client look like the proxy to the login lockout.
VSPLAN_TRUSTED_PROXIES = env_networks("VSPLAN_TRUSTED_PROXIES")
# Believed only from those proxies: vsplan.security.ForwardedHeadersMiddleware
# drops the header from everyone else.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

STATIC_ROOT = env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles"))  # noqa: F405
WHITENOISE_USE_FINDERS = False
# Static files are served by the app itself through WhiteNoise, compressed and
# with content hashes in their names (run `manage.py collectstatic` on deploy).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOG_FORMAT = env_choice("DJANGO_LOG_FORMAT", ["text", "json"], "json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405
