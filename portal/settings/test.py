"""pytest's settings: a fast password hasher, a throwaway key, a file database a worker can share."""

import os
import tempfile

from portal import env
from portal.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The integration tests' Celery worker is another process: TEKIGO_TEST_DB hands it the name of
# the test database the pytest process created, so both read the same rows.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not :memory:, so that a worker process can open it too. The pytest process's id
    # makes it this run's own: two suites on one machine never share a database file.
    _name = os.environ.get("TEKIGO_TEST_DB") or os.path.join(
        tempfile.gettempdir(), f"tekigo-test-{os.getuid()}-{os.getpid()}.sqlite3"
    )
    DATABASES["default"]["NAME"] = _name  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": _name}  # noqa: F405
elif os.environ.get("TEKIGO_TEST_DB"):
    DATABASES["default"]["NAME"] = os.environ["TEKIGO_TEST_DB"]  # noqa: F405

# Unit tests never reach a broker: dispatching goes to kombu's in-memory transport.
# The integration tests start real redis-server and celery worker processes, which
# receive their broker through CELERY_BROKER_URL.
CELERY_BROKER_URL = env.CELERY_BROKER_URL or "memory://"
CELERY_BROKER_TRANSPORT = (
    "portal.broker:AtomicFilesystemTransport"
    if CELERY_BROKER_URL.startswith("filesystem")
    else None
)

# A self-signed report signing pair, generated once per user in the temporary folder and shared
# by the test process and the Celery worker it starts.
REPORT_SIGNING_GENERATED = os.path.join(
    tempfile.gettempdir(), f"tekigo-test-signing-{os.getuid()}.pem"
)
if CELERY_BROKER_URL.startswith("memory"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
elif not CELERY_BROKER_URL.startswith("filesystem"):  # the embedded broker keeps its folders
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
