"""Production settings: the secret key is required and has no default."""

from django.core.exceptions import ImproperlyConfigured

from portal import env
from portal.settings.base import *  # noqa: F403

if not env.SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is required in production; set it in the environment.")
SECRET_KEY = env.SECRET_KEY
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# WhiteNoise serves hashed, compressed static files (run collectstatic at build time).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Evidence, report PDFs and evidence packs: S3-compatible object storage when a bucket is set,
# so every web node and worker sees the same files; MEDIA_ROOT on one machine otherwise.
if env.AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
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
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]  # noqa: F405
SECURE_HSTS_SECONDS = env.HSTS_SECONDS
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not env.ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is required in production, e.g. ALLOWED_HOSTS=tekigo.example.com"
    )
