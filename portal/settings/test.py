"""pytest's settings: a fast password hasher and a throwaway key."""

from portal.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["NAME"] = ":memory:" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else DATABASES["default"]["NAME"]  # noqa: F405

# Unit tests never reach a broker: dispatching goes to kombu's in-memory transport.
# The integration tests start real redis-server and celery worker processes instead.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
