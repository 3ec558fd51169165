"""The Celery application. Configuration comes from Django settings (``CELERY_*``), which
read the environment in one place (``portal/env.py``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

app = Celery("tekigo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
