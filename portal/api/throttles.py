"""Rate limits of the API (DRF throttling), answered with 429 and ``Retry-After``.

``anon`` and ``user`` apply to every request. Work that costs worker time (reports, exports) is
also limited per organisation, whoever asks: a view sets ``organisation_throttle_scope`` (a key of
``DEFAULT_THROTTLE_RATES``, e.g. ``"reports"`` or ``"exports"``) and ``throttle_organisation_id``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is installed wherever Celery runs on Redis
    RedisError = OSError

logger = logging.getLogger(__name__)

#: What the cache raises when its server cannot be reached (the shared Redis cache in production).
CACHE_UNREACHABLE = (RedisError, OSError)


def counter_unreachable(scope: str | None) -> bool:
    """Let a request through when its rate-limit counter cannot be reached, and say so in the log.

    The counters share the Redis cache with the other nodes; when Redis is down, refusing every
    request (or answering 500) would turn a broker outage into a full outage, while a few minutes
    without rate limits costs little. Example: ``counter_unreachable("user")`` logs a warning and
    returns True.
    """
    logger.warning("rate limit %s: cache unreachable, request let through", scope, exc_info=True)
    return True


class _CurrentRates:
    """Read the rate when a request is checked, not when the class is defined (as DRF does), so
    that a settings change (a test's smaller rates) takes effect."""

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"No rate set for the throttle scope {self.scope!r}."
            ) from None

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_UNREACHABLE:
            return counter_unreachable(self.scope)


class AnonRateThrottle(_CurrentRates, throttling.AnonRateThrottle):
    """Requests without credentials, per client address."""


class UserRateThrottle(_CurrentRates, throttling.UserRateThrottle):
    """Requests of one signed-in user, whatever the token or session."""


class OrganisationRateThrottle(_CurrentRates, throttling.SimpleRateThrottle):
    """At most N writes per period per organisation for the views that opt in.

    Example: with ``"reports": "30/hour"`` the 31st report requested within an hour by any
    member of one organisation is refused with 429; another organisation is not affected.
    """

    def __init__(self):
        # The scope (and so the rate) is the view's: read in allow_request, not here.
        pass

    def allow_request(self, request, view):
        self.scope = getattr(view, "organisation_throttle_scope", None)
        if self.scope is None or request.method in SAFE_METHODS:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        organisation_id = view.throttle_organisation_id(request)
        return self.cache_format % {"scope": self.scope, "ident": organisation_id}


def organisation_limit_wait(*, scope: str, organisation_id: int) -> float | None:
    """The same per-organisation limit for pages that start costly work (exports, packs).

    Records one use of ``scope`` by the organisation and returns None, or, when the limit is
    reached, records nothing and returns the seconds to wait (for ``Retry-After``). Pages and the
    API share one counter per organisation and scope.
    """
    throttle = OrganisationRateThrottle()
    throttle.scope = scope
    throttle.rate = throttle.get_rate()
    throttle.num_requests, throttle.duration = throttle.parse_rate(throttle.rate)
    throttle.key = throttle.cache_format % {"scope": scope, "ident": organisation_id}
    try:
        throttle.history = throttle.cache.get(throttle.key, [])
        throttle.now = throttle.timer()
        while throttle.history and throttle.history[-1] <= throttle.now - throttle.duration:
            throttle.history.pop()
        if len(throttle.history) >= throttle.num_requests:
            return throttle.wait() or 1.0
        throttle.throttle_success()
    except CACHE_UNREACHABLE:
        counter_unreachable(scope)
    return None
