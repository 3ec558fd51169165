"""pytest's settings: a fast password hasher, a throwaway key, a file database a worker can share."""

import os
import tempfile

from portal import env
from portal.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not :memory:, so that the integration tests' Celery worker (another process)
    # reads the same test database. TEKIGO_TEST_DB hands the path to that worker.
    _path = os.environ.get("TEKIGO_TEST_DB") or os.path.join(tempfile.gettempdir(), f"tekigo-test-{os.getuid()}.sqlite3")
    DATABASES["default"]["NAME"] = _path  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": _path}  # noqa: F405

# Unit tests never reach a broker: dispatching goes to kombu's in-memory transport.
# The integration tests start real redis-server and celery worker processes, which
# receive their broker through CELERY_BROKER_URL.
CELERY_BROKER_URL = env.CELERY_BROKER_URL or "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {} if CELERY_BROKER_URL.startswith("memory") else {"visibility_timeout": 600}
