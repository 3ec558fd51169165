"""The API's default permission: signed in, with anonymous calls counted against their rate."""

from rest_framework import exceptions, permissions

from portal.api.throttles import AnonRateThrottle


class IsAuthenticated(permissions.IsAuthenticated):
    """Signed in (token or session). DRF checks throttles only after permissions, so an anonymous
    call would be refused with 401 before any rate applied: count it here first, so that a
    client hammering the API without credentials gets 429 with Retry-After."""

    def has_permission(self, request, view):
        if super().has_permission(request, view):
            return True
        throttle = AnonRateThrottle()
        if not throttle.allow_request(request, view):
            raise exceptions.Throttled(throttle.wait())
        return False
