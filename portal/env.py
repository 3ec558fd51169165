"""The one place that reads the process environment.

Every setting that can vary between machines is read here, so a reader can see
at a glance what Tekigo expects from its environment. Settings modules import
the values; nothing else calls ``os.environ``.

Example::

    TEKIGO_ENV=production SECRET_KEY=... DATABASE_URL=postgres://... gunicorn portal.wsgi
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


#: development (the run command), test (pytest) or production (everything else).
TEKIGO_ENV = env_str("TEKIGO_ENV", "production")
SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
DATABASE_URL = env_str("DATABASE_URL")
SQLITE_PATH = env_str("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3"))
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
STATIC_ROOT = env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static"))
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
#: The Celery broker. Production: Redis (``redis://127.0.0.1:6379/0``). Unset in development:
#: kombu's filesystem transport under var/broker, so the run command needs no Redis.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
BROKER_FOLDER = env_str("BROKER_FOLDER", str(BASE_DIR / "var" / "broker"))
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tekigo@localhost")
HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000)

# --- Report signing and public verification ----------------------------------------------------
#: The address people reach this Tekigo at, e.g. ``https://tekigo.example.com``: the verification
#: URL and QR code on reports, and the links in e-mails sent outside a request (reminders).
#: SITE_URL, its former name for the e-mail links, is still read when PUBLIC_BASE_URL is unset.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL")
if PUBLIC_BASE_URL is None and env_str("SITE_URL"):
    import warnings

    warnings.warn(
        "SITE_URL is deprecated: rename it PUBLIC_BASE_URL (one address for e-mail links and "
        "report verification).",
        FutureWarning,  # shown by default: the operator who set the variable must see it
        stacklevel=1,
    )
    PUBLIC_BASE_URL = env_str("SITE_URL")
PUBLIC_BASE_URL = PUBLIC_BASE_URL or "http://127.0.0.1:8000"
#: The key and certificate that sign issued PDFs: PEM text, or the path of a PEM file. The
#: certificate value may hold the chain after the signing certificate. Required in production.
REPORT_SIGNING_KEY = env_str("REPORT_SIGNING_KEY")
REPORT_SIGNING_CERT = env_str("REPORT_SIGNING_CERT")
REPORT_SIGNING_KEY_PASSWORD = env_str("REPORT_SIGNING_KEY_PASSWORD")
# --- Security behind the proxy (issue 14) --------------------------------------------------------
#: Addresses (or networks, ``10.0.0.0/8``) of the TLS-terminating proxies in front of gunicorn.
#: Only a request arriving from one of them may say, in X-Forwarded-For and X-Forwarded-Proto,
#: who the client is and that it used HTTPS. Empty (the default): no forwarded header is believed.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
#: Redirect plain HTTP to HTTPS. On by default when a trusted proxy is configured (it tells us the
#: scheme); off without one, since a redirect then could never see HTTPS and would loop.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", bool(TRUSTED_PROXIES))

# --- Observability (issue 14) --------------------------------------------------------------------
#: The bearer token a Prometheus scraper sends to /metrics. Unset: only staff sessions may read it.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
#: prometheus_client's multiprocess folder, so /metrics sums every gunicorn worker (optional).
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", "")
#: Log level of Tekigo's own loggers (portal, frameworks, assessments, reports).
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
# --- Database pool and object storage (issue 14: more than one machine) ---
#: psycopg's connection pool per web or worker process when DATABASE_URL is PostgreSQL: it keeps
#: DB_POOL_MIN_SIZE connections open, opens up to DB_POOL_MAX_SIZE, and a request waits at most
#: DB_POOL_TIMEOUT seconds for a free one before failing.
DB_POOL_MIN_SIZE = env_int("DB_POOL_MIN_SIZE", 2)
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 10)
DB_POOL_TIMEOUT = env_int("DB_POOL_TIMEOUT", 10)
#: Server-side prepared statements on PostgreSQL: a statement a pooled connection has run
#: DB_PREPARE_THRESHOLD times is prepared once and then only executed (psycopg's default
#: threshold, 5). 0 turns them off, as a pooler in transaction mode between Tekigo and
#: PostgreSQL (PgBouncer without max_prepared_statements) requires.
DB_PREPARE_THRESHOLD = env_int("DB_PREPARE_THRESHOLD", 5)
#: S3-compatible object storage for evidence, report PDFs and evidence packs (production). Unset
#: bucket: the local filesystem under MEDIA_ROOT.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL")
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME")
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY")
