"""Settings shared by every environment; `dev`, `test` and `prod` adjust them."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_choice, env_int, env_networks, env_str, env_url, require

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "vsplan",  # the project's own commands (manage.py worker)
    "areas",
    "followup",
]

MIDDLEWARE = [
    # First: the health check answers before any redirect or host check, and the
    # proxy's X-Forwarded-* headers are dropped unless a trusted proxy sent them.
    "vsplan.health.HealthCheckMiddleware",
    "vsplan.security.ForwardedHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vsplan.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vsplan.middleware.PrivateDownloadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns locked-out logins into a response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses logins from a username or address with too many failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "vsplan.urls"
WSGI_APPLICATION = "vsplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "followup.context_processors.navigation",
                "vsplan.context_processors.sign_on",
                "vsplan.context_processors.organisation",
            ],
        },
    },
]

# SQLite next to the code unless DATABASE_URL names another database
# (postgres://user@host:5432/name for production).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        # A kept connection is checked before a request uses it, so the app carries
        # on by itself after the database restarts.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to one SQLite file. Every transaction takes
    # the write lock when it begins (IMMEDIATE), so a writer waits its turn (up to
    # `timeout` seconds) instead of failing at once with "database is locked" when a
    # read turns into a write; WAL lets readers go on while someone writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "followup:start"
LOGOUT_REDIRECT_URL = "login"

# Single sign-on (OpenID Connect), on when the client id is set; see vsplan/oidc.py.
VSPLAN_OIDC_ENABLED = bool(env_str("OIDC_RP_CLIENT_ID", ""))
if VSPLAN_OIDC_ENABLED:
    require(
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
        "OIDC_OP_JWKS_ENDPOINT",
    )
    INSTALLED_APPS += ["mozilla_django_oidc"]
    AUTHENTICATION_BACKENDS.insert(1, "vsplan.oidc.EmailBackend")
    OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
VSPLAN_OIDC_LABEL = env_str("VSPLAN_OIDC_LABEL", "")  # the button's text; default: translated
OIDC_RP_SCOPES = "openid email"
OIDC_CREATE_USER = False  # roles live in vsplan: only existing users sign on
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"

# Swedish is the default language; English is available.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# STATIC_ROOT is production's (collectstatic); elsewhere files come from static/.
WHITENOISE_USE_FINDERS = True

# Content-Security-Policy on every response: only our own scripts, styles and
# images; no inline script or style, no plugins, no framing, forms post to us.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# The reverse proxies whose X-Forwarded-For/-Proto headers are believed
# (addresses or networks, comma-separated); from anyone else they are dropped
# (vsplan/security.py). Empty: no proxy, the connection's address is the client's.
VSPLAN_TRUSTED_PROXIES = env_networks("VSPLAN_TRUSTED_PROXIES", [])

# Login throttling (django-axes): after 5 failures for a username from one client
# address, that pair is locked for an hour after the last failure; a success
# resets the count. Counting the pair means that no one can lock a user out from
# another address; the address is the client's as the trusted proxy names it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked do not move the end, so the end the page shows is the end.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "vsplan.security.axes_username"
AXES_CLIENT_IP_CALLABLE = "vsplan.security.client_address"
AXES_LOCKOUT_CALLABLE = "vsplan.security.lockout_response"

# Background work (PDF rendering): a database-backed queue, worked by
# `manage.py worker` (vsplan/worker.py) on any machine that reaches the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The longest a follow-up report PDF may take to render before it is stopped and the
# user asked for a narrower report (wherever it renders: it runs in a child process; the
# programme report of the KTH plan takes about 3 s). 0: no bound.
VSPLAN_PDF_MAX_SECONDS = env_int("VSPLAN_PDF_MAX_SECONDS", 600)

# The site's address as its users reach it: every link in an e-mail starts with it
# (required in production; the development server's address elsewhere).
VSPLAN_SITE_URL = env_url("VSPLAN_SITE_URL", "http://127.0.0.1:8000")

# Indicator values (PULS) from fewer respondents than this are never shown.
VSPLAN_MIN_RESPONDENTS = env_int("VSPLAN_MIN_RESPONDENTS", 5)
# The organisation's name: offered in the empty workbook a plan is started from (each
# revision keeps the name it was decided under) and shown in every page's footer.
VSPLAN_ORGANISATION_NAME = env_str("VSPLAN_ORGANISATION_NAME", "")
# An organisation's logo for the report PDF's cover: a PNG, JPEG or SVG file's path (none
# is shipped; without one the cover has none).
VSPLAN_REPORT_LOGO = env_str("VSPLAN_REPORT_LOGO", "")

# The dashboard keeps its rendered fragments in each process's memory, under the
# data's generation (followup.data_generation), so a copy is never stale; at most 40
# fragments (two per filter combination), since at 100 times the KTH plan one is some 3 MB.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "dashboard": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "dashboard",
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 40},
    },
}

# The plan and its published follow-ups for everyone, without login (/public/,
# /data/...). Off by default: the data then needs a login.
VSPLAN_PUBLIC_VIEW = env_bool("VSPLAN_PUBLIC_VIEW", False)

# Excel import of a revised plan: the largest upload, what its archive may
# unpack to (zip bombs), and the most rows read. The KTH plan is 72 rows, 40 kB.
VSPLAN_IMPORT_MAX_BYTES = env_int("VSPLAN_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
VSPLAN_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int(
    "VSPLAN_IMPORT_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024
)
VSPLAN_IMPORT_MAX_ROWS = env_int("VSPLAN_IMPORT_MAX_ROWS", 10_000)
# ... and the most characters of text, merged cells counted as often as they show
# (the KTH plan has some 300,000).
VSPLAN_IMPORT_MAX_CHARACTERS = env_int("VSPLAN_IMPORT_MAX_CHARACTERS", 50_000_000)

# The plan page and My areas show every area up to this many (the KTH plan has 72);
# above it the plan's support areas come collapsed with their counts, and long lists
# (a filter's matches, an opened support area, My areas' rows) come a page at a time.
VSPLAN_PLAN_EXPAND_LIMIT = env_int("VSPLAN_PLAN_EXPAND_LIMIT", 500)
VSPLAN_PLAN_PAGE_SIZE = env_int("VSPLAN_PLAN_PAGE_SIZE", 100)

# E-mail (reminders). SMTP by default; development prints to the console.
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "vsplan@localhost")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("DJANGO_EMAIL_HOST", "localhost"),
            "port": env_int("DJANGO_EMAIL_PORT", 25),
            "username": env_str("DJANGO_EMAIL_USER", ""),
            "password": env_str("DJANGO_EMAIL_PASSWORD", ""),
            "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", False),
            "timeout": 20,
        },
    }
}

# A login lasts a working day (8 hours), then asks again.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Logs go to standard error, one line per event: JSON in production (for the log
# collector; the same format as gunicorn's logs, times in UTC with their offset,
# see vsplan/logformat.py), plain text elsewhere; DJANGO_LOG_FORMAT overrides.
LOG_FORMAT = env_choice("DJANGO_LOG_FORMAT", ["text", "json"], "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
        "json": {
            "()": "vsplan.logformat.JsonFormatter",
        },
    },
    "filters": {"refusals": {"()": "vsplan.logs.RefusalsWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["refusals"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (a second console, mail to ADMINS) are removed: every
        # event goes to the console above, once.
        "django": {"level": "INFO", "handlers": []},
        # Each request is logged by the server (gunicorn's access log); Django
        # logs only what went wrong. The development server logs here (dev.py).
        "django.server": {"level": "WARNING", "handlers": [], "propagate": True},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}
