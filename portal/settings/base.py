"""Settings shared by every environment. Values that vary come from ``portal.env``."""

from __future__ import annotations

from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal import env

BASE_DIR = env.BASE_DIR
SECRET_KEY = env.SECRET_KEY
DEBUG = env.DEBUG
ALLOWED_HOSTS = env.ALLOWED_HOSTS
CSRF_TRUSTED_ORIGINS = env.CSRF_TRUSTED_ORIGINS

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "portal",
    "frameworks",
    "assessments",
    "reports",
    "django_htmx",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.RequestIdMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assessments:dashboard"
LOGOUT_REDIRECT_URL = "login"

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
                "portal.context_processors.tenancy",
                "portal.context_processors.notifications",
            ],
        },
    },
    {
        # The report's template only (reports/jinja2/): reports/jinja_environment.py says why.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "reports.jinja_environment.environment"},
    },
]


def _pool_options() -> dict:
    """psycopg_pool.ConnectionPool arguments, e.g. ``{"min_size": 2, "max_size": 10, "timeout": 10}``.

    Django adds ``check=ConnectionPool.check_connection`` itself when CONN_HEALTH_CHECKS is on.
    """
    if not 0 <= env.DB_POOL_MIN_SIZE <= env.DB_POOL_MAX_SIZE or env.DB_POOL_MAX_SIZE < 1:
        raise ImproperlyConfigured(
            "DB_POOL_MIN_SIZE and DB_POOL_MAX_SIZE need 0 <= min <= max and max >= 1, not "
            f"{env.DB_POOL_MIN_SIZE} and {env.DB_POOL_MAX_SIZE}."
        )
    return {
        "min_size": env.DB_POOL_MIN_SIZE,
        "max_size": env.DB_POOL_MAX_SIZE,
        "timeout": env.DB_POOL_TIMEOUT,
    }


def _prepared_statements() -> dict:
    """Server-side parameter binding with prepared statements, unless DB_PREPARE_THRESHOLD is 0.

    Django binds parameters on the client by default, so PostgreSQL parses and plans every
    statement again; the pool keeps each connection for the process's life, so a statement run
    often (the autosave's dozen) is prepared once per connection instead. Measured under wrk on
    the autosave: PostgreSQL's CPU per save 1.36 -> 0.85 ms, the web worker's 5.6 -> 5.1 ms
    (bench/README.md). The whole suite runs on PostgreSQL with it.
    """
    if env.DB_PREPARE_THRESHOLD < 0:
        raise ImproperlyConfigured(
            f"DB_PREPARE_THRESHOLD must be 0 (off) or more, not {env.DB_PREPARE_THRESHOLD}."
        )
    if env.DB_PREPARE_THRESHOLD == 0:
        return {}
    return {"server_side_binding": True, "prepare_threshold": env.DB_PREPARE_THRESHOLD}


def _database_from_url(url: str | None) -> dict:
    """``postgres://user:pass@host:5432/name`` or ``sqlite:///path``; none means the embedded SQLite."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.SQLITE_PATH,
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parsed.path.lstrip("/"),
            "USER": parsed.username or "",
            "PASSWORD": parsed.password or "",
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            # The pool owns connection reuse, so Django must close (= give back) after each
            # request: CONN_MAX_AGE 0. With CONN_HEALTH_CHECKS the pool tests a connection
            # before handing it out, so connections cut by a PostgreSQL restart are replaced
            # instead of failing the next request.
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": True,
            # A database that does not answer fails a request (and /readyz) in seconds, not minutes.
            "OPTIONS": {"connect_timeout": 3, "pool": _pool_options(), **_prepared_statements()},
        }
    if parsed.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": parsed.path}
    raise ImproperlyConfigured(f"DATABASE_URL has an unsupported scheme: {parsed.scheme!r}")


DATABASES = {"default": _database_from_url(env.DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes throttles sign-in: after 5 failures for one user name from one address, that pair
# is locked out for 15 minutes (HTTP 429). A success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Japanese is the authoritative language of the content; English is offered beside it.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.STATIC_ROOT
MEDIA_ROOT = env.MEDIA_ROOT

SESSION_COOKIE_AGE = env.SESSION_COOKIE_AGE
SESSION_COOKIE_HTTPONLY = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

#: Where the framework catalog (YAML, one file per version) lives.
FRAMEWORK_CATALOG_DIR = BASE_DIR / "frameworks" / "catalog"

EVIDENCE_MAX_BYTES = env.EVIDENCE_MAX_BYTES

from portal.settings.tasks import *  # noqa: E402, F403

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env.EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env.EMAIL_HOST
EMAIL_PORT = env.EMAIL_PORT
EMAIL_HOST_USER = env.EMAIL_HOST_USER
EMAIL_HOST_PASSWORD = env.EMAIL_HOST_PASSWORD
EMAIL_USE_TLS = env.EMAIL_USE_TLS
DEFAULT_FROM_EMAIL = env.DEFAULT_FROM_EMAIL

# --- Content-Security-Policy (django-csp): our own scripts and styles only ------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

from portal.settings.api import *  # noqa: E402, F403

# --- Report signing and public verification ----------------------------------------------------
#: The one public address (no trailing slash): report verification URLs and e-mail links.
PUBLIC_BASE_URL = env.PUBLIC_BASE_URL.rstrip("/")
REPORT_SIGNING_KEY = env.REPORT_SIGNING_KEY
REPORT_SIGNING_CERT = env.REPORT_SIGNING_CERT
REPORT_SIGNING_KEY_PASSWORD = env.REPORT_SIGNING_KEY_PASSWORD
#: Where a self-signed pair is generated when no key is configured (development and tests only;
#: production requires the key and leaves this empty).
REPORT_SIGNING_GENERATED = None
#: The public verification page answers this many checks per client address per window.
PUBLIC_VERIFY_LIMIT = 30
PUBLIC_VERIFY_WINDOW_SECONDS = 10 * 60
# --- Security behind the proxy, request-body limit, cache headers (issue 14) --------------------
#: Addresses of the TLS proxies whose X-Forwarded-For / X-Forwarded-Proto are believed.
TRUSTED_PROXIES = env.TRUSTED_PROXIES
MIDDLEWARE = [
    # First: forwarded headers from anyone but the trusted proxy are dropped before Django reads them.
    "portal.middleware.TrustedProxyMiddleware",
    # Before anything reads the body: a body declared larger than the limit is refused unread.
    "portal.middleware.RequestBodyLimitMiddleware",
    *MIDDLEWARE,
    "portal.middleware.ApiNoStoreMiddleware",
]
# django-axes counts failures per (user name, client address) pair, with the client's real
# address taken from the trusted proxy's header: a stranger's wrong passwords lock out only
# that stranger's own address, never the user signing in from elsewhere.
AXES_CLIENT_IP_CALLABLE = "portal.middleware.client_ip_address"
#: Room for the form fields and multipart framing around the largest allowed evidence file.
UPLOAD_MARGIN_BYTES = 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "portal.upload_handlers.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Bodies that are not files (forms, JSON) are read into memory: 2.5 MB is plenty for the largest
# answer batch and keeps a flood of JSON from exhausting a worker's memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Observability (issue 14) --------------------------------------------------------------------
INSTALLED_APPS = [*INSTALLED_APPS, "django_prometheus"]
# Request latency, counts and status codes per view: the Before middleware first, After last.
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    *MIDDLEWARE,
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# Outermost: everything after it runs with room on Python's frame stack (portal.stack).
MIDDLEWARE = ["portal.middleware.StackRoomMiddleware", *MIDDLEWARE]
METRICS_TOKEN = env.METRICS_TOKEN
PROMETHEUS_MULTIPROC_DIR = env.PROMETHEUS_MULTIPROC_DIR
#: Collectors whose figures /metrics adds, read at each scrape (dotted paths: portal imports no app).
METRICS_COLLECTORS = ["reports.metrics.ReportCollector"]
# Plain lines with the request id; production switches to JSON lines (settings.production).
from portal.log import logging_config  # noqa: E402

LOGGING = logging_config(json=False, level=env.LOG_LEVEL)

# --- Health (issue 14) ---------------------------------------------------------------------------
#: Seconds /readyz waits for the broker: a dead Redis must never hold a web worker for long.
HEALTH_BROKER_TIMEOUT = 0.5
# --- Stored files (issue 14: more than one machine) ---


def _file_storage() -> dict:
    """Evidence, report PDFs and evidence packs (``portal.storage``): S3-compatible object storage
    when AWS_STORAGE_BUCKET_NAME is set, so every web node and worker sees the same files;
    MEDIA_ROOT on this machine otherwise."""
    if not env.AWS_STORAGE_BUCKET_NAME:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.AWS_S3_ENDPOINT_URL,  # None: AWS itself
            "region_name": env.AWS_S3_REGION_NAME,
            "access_key": env.AWS_ACCESS_KEY_ID,
            "secret_key": env.AWS_SECRET_ACCESS_KEY,
            # Private objects, never replaced, reached only through the permission-checked views.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "addressing_style": "path",
        },
    }


STORAGES = {
    "default": _file_storage(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
