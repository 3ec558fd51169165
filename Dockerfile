# Tekigo web and worker image: Python 3.11 on Debian bookworm with the CJK fonts and the
# HarfBuzz subsetter WeasyPrint needs for fast, complete Japanese PDFs.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv UV_COMPILE_BYTECODE=1 PATH="/opt/venv/bin:$PATH"

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext curl \
 && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.8

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN DJANGO_SETTINGS_MODULE=portal.settings.development python manage.py compilemessages --ignore=.venv \
 && SECRET_KEY=build-only ALLOWED_HOSTS=build REPORT_SIGNING_KEY=build-only REPORT_SIGNING_CERT=build-only DJANGO_SETTINGS_MODULE=portal.settings.production \
    python manage.py collectstatic --no-input -v 0

RUN useradd --system --home /app tekigo && mkdir -p /data/media && chown -R tekigo /data
USER tekigo
ENV DJANGO_SETTINGS_MODULE=portal.settings.production MEDIA_ROOT=/data/media STATIC_ROOT=/app/var/static
EXPOSE 8000
# Header limits refuse request-line and header floods before Django; bodies are limited by the
# proxy (client_max_body_size) and by Django itself (EVIDENCE_MAX_BYTES + 1 MiB, refused unread).
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--timeout", "60", "--limit-request-line", "8190", "--limit-request-fields", "100", "--access-logfile", "-"]
