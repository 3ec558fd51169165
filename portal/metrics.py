"""The Prometheus endpoint (``/metrics``): request latency and counts (django-prometheus), and the
figures each app lists in ``settings.METRICS_COLLECTORS`` (report queue depth, render seconds).

Not public: a scraper sends ``Authorization: Bearer <METRICS_TOKEN>``; a signed-in staff member
may look too. Everyone else gets 403.

Example::

    curl -H "Authorization: Bearer $METRICS_TOKEN" http://127.0.0.1:8000/metrics
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest


def metrics_allowed(request) -> bool:
    """Whether the request may read the metrics: the scraper's token, or a staff session."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def _process_registry() -> CollectorRegistry:
    """The request metrics: this process's, or every gunicorn worker's when
    PROMETHEUS_MULTIPROC_DIR is set (prometheus_client's multiprocess mode)."""
    if not settings.PROMETHEUS_MULTIPROC_DIR:
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    return registry


@never_cache
def metrics(request):
    if not metrics_allowed(request):
        return HttpResponse("Forbidden.", status=403, content_type="text/plain")
    apps = CollectorRegistry(auto_describe=False)
    for path in settings.METRICS_COLLECTORS:
        apps.register(import_string(path)())
    body = generate_latest(_process_registry()) + generate_latest(apps)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
