"""Production settings: the secret key is required and has no default."""

from django.core.exceptions import ImproperlyConfigured

from portal import env
from portal.settings.base import *  # noqa: F403

if not env.SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is required in production; set it in the environment.")
SECRET_KEY = env.SECRET_KEY
if not (env.REPORT_SIGNING_KEY and env.REPORT_SIGNING_CERT):
    raise ImproperlyConfigured(
        "REPORT_SIGNING_KEY and REPORT_SIGNING_CERT are required in production (PEM text or file "
        "paths): every issued report is signed with them."
    )
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# WhiteNoise serves hashed, compressed static files (run collectstatic at build time). Stored
# files keep the base settings' choice: S3-compatible storage when a bucket is set.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
_middleware = list(MIDDLEWARE)  # noqa: F405
_security = _middleware.index("django.middleware.security.SecurityMiddleware") + 1
_middleware.insert(_security, "whitenoise.middleware.WhiteNoiseMiddleware")
MIDDLEWARE = _middleware
SECURE_HSTS_SECONDS = env.HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_REFERRER_POLICY = "same-origin"
# X-Forwarded-Proto is believed only when a trusted proxy is configured, and then only from it
# (portal.middleware.TrustedProxyMiddleware drops the header from everyone else). Without a proxy
# no client can make Django think a plain-HTTP request was HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.TRUSTED_PROXIES else None
SECURE_SSL_REDIRECT = env.SECURE_SSL_REDIRECT
# The container and load-balancer probes speak plain HTTP to gunicorn directly.
SECURE_REDIRECT_EXEMPT = [r"^livez$", r"^readyz$", r"^healthz$", r"^metrics$"]
if not env.ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is required in production, e.g. ALLOWED_HOSTS=tekigo.example.com"
    )

# --- Observability (issue 14): one JSON object per log line, with the request id -----------------
from portal.log import logging_config  # noqa: E402

LOGGING = logging_config(json=True, level=env.LOG_LEVEL)

# --- Shared cache (several web nodes) ------------------------------------------------------------
# Counters that must hold across every web node and worker live in the cache: the public report
# verification limit (per client address) and the API rate limits. A process-local cache would
# give each gunicorn worker on each node its own allowance, so with REDIS_URL set the cache is
# that Redis (Django's built-in RedisCache). Short socket timeouts: a dead Redis fails a request
# at once instead of holding a web worker. Without REDIS_URL (one machine, the embedded broker)
# the process-local cache remains.
if env.REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.REDIS_URL,
            "KEY_PREFIX": "tekigo",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
