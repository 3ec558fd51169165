"""Settings for bench/: production-like (DEBUG off), with a fixed key and its own media folder."""

from portal import env
from portal.settings.base import *  # noqa: F403

SECRET_KEY = "bench-only-insecure-key"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
MEDIA_ROOT = str(env.BASE_DIR / "var" / "bench" / "media")
if not env.DATABASE_URL:
    DATABASES["default"]["NAME"] = str(env.BASE_DIR / "var" / "bench" / "bench.sqlite3")  # noqa: F405
CELERY_BROKER_URL = env.CELERY_BROKER_URL or "memory://"
CELERY_BROKER_TRANSPORT = (
    "portal.broker:AtomicFilesystemTransport"
    if CELERY_BROKER_URL.startswith("filesystem")
    else None
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {} if CELERY_BROKER_URL.startswith("memory") else {"visibility_timeout": 600}
)
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
REPORT_SIGNING_GENERATED = env.BASE_DIR / "var" / "bench" / "signing.pem"
