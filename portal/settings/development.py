"""The run command's settings: embedded SQLite, debug on, a fixed development-only key."""

from portal import env
from portal.settings.base import *  # noqa: F403

DEBUG = env.env_bool("DEBUG", True)
SECRET_KEY = env.SECRET_KEY or "development-only-insecure-key"
ALLOWED_HOSTS = env.ALLOWED_HOSTS or ["127.0.0.1", "localhost"]
# A self-signed report signing pair, generated on first use (var/ is never committed).
REPORT_SIGNING_GENERATED = env.BASE_DIR / "var" / "signing" / "development.pem"
