import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

from portal.heap import heap_freeze_if_due

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")
application = get_wsgi_application()
# Only the web workers freeze their long-lived heap (see portal.heap).
request_finished.connect(heap_freeze_if_due, dispatch_uid="portal.heap.heap_freeze_if_due")
