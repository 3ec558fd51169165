"""Request-wide middleware: room on the frame stack, request ids, the trusted proxy, the
request-body limit, and the cache headers of API answers."""

from __future__ import annotations

import ipaddress
import uuid
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from portal.request_context import request_id_var, request_var
from portal.stack import call_with_stack_room


class StackRoomMiddleware:
    """Runs the rest of the request with room on Python's frame stack (``portal.stack``).

    Outermost in ``MIDDLEWARE``, so every other middleware, the view and the templates run in
    the room. Why: rendering a page recurses up and down through template nodes, and on Python
    3.11 each pass across a frame-stack chunk boundary maps and unmaps memory; a questionnaire
    page of 160 questions took 105-127 ms of CPU and 63-65 ms in the room.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return call_with_stack_room(self.get_response, request)


class RequestIdMiddleware:
    """Tags each request with an id (``X-Request-ID`` if the proxy sent one) for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")[:64]
        request_id = incoming or uuid.uuid4().hex
        # Not reset here: Django logs the request's outcome ("Not Found: /x") after the middleware
        # returns, and that line must carry the id too. portal.signals clears both when the
        # response is finished.
        request_id_var.set(request_id)
        # The request (whose user the audit log names) is forgotten as soon as the view is done:
        # a streamed download may never signal request_finished, and a later request of this
        # thread, or a test, must never be recorded as made by this request's user.
        token = request_var.set(request)
        try:
            response = self.get_response(request)
        finally:
            request_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


# --- The trusted proxy ---------------------------------------------------------------------------

#: Headers only a trusted proxy may set; from anyone else they are dropped before Django reads them.
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")


@lru_cache(maxsize=16)
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def is_trusted_proxy(address: str | None) -> bool:
    """Whether ``address`` is one of ``settings.TRUSTED_PROXIES`` (addresses or networks).

    Example: with ``TRUSTED_PROXIES=["10.0.0.5"]``, ``is_trusted_proxy("10.0.0.5")`` is true and
    ``is_trusted_proxy("203.0.113.9")`` false.
    """
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip_address(request) -> str | None:
    """The address of the person at the keyboard, as django-axes and the logs should see it.

    Directly connected clients are their own ``REMOTE_ADDR``. A request from a trusted proxy is
    for the client the proxy names: the right-most X-Forwarded-For entry that is not itself a
    trusted proxy (entries left of it were written by the client and may be forged).
    Example: proxy 10.0.0.5, ``X-Forwarded-For: 1.2.3.4, 203.0.113.9`` gives 203.0.113.9.
    """
    remote = request.META.get("REMOTE_ADDR")
    if not is_trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for candidate in reversed([part for part in forwarded if part]):
        if is_trusted_proxy(candidate):
            continue
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return remote  # a garbled header: fall back to the proxy, never to the garbage
    return remote


class TrustedProxyMiddleware:
    """Drops X-Forwarded-* headers unless the request comes from a trusted proxy.

    Django believes ``X-Forwarded-Proto`` whenever ``SECURE_PROXY_SSL_HEADER`` is set; without
    this, any client talking to gunicorn directly could claim HTTPS. First in MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


# --- Request-body limit --------------------------------------------------------------------------


def request_body_limit() -> int:
    """The largest request body accepted: the largest evidence file plus room for the form around it.

    Example: with EVIDENCE_MAX_BYTES = 20 MiB and UPLOAD_MARGIN_BYTES = 1 MiB, 21 MiB.
    """
    return settings.EVIDENCE_MAX_BYTES + settings.UPLOAD_MARGIN_BYTES


class RequestBodyLimitMiddleware:
    """Answers 413 to a request whose declared body is larger than :func:`request_body_limit`,
    before a byte of it is read. Bodies that do not declare their size are cut by the upload
    handler (``portal.upload_handlers``) as they stream."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > request_body_limit():
            return request_too_large(request)
        return self.get_response(request)


def request_too_large(request) -> HttpResponse:
    from django.utils.translation import gettext as _

    limit_mb = settings.EVIDENCE_MAX_BYTES / (1024 * 1024)
    message = _("The upload is too large; files may be at most %(size).0f MB.") % {"size": limit_mb}
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"errors": [{"field": "file", "message": message, "code": "too_large"}]}, status=413
        )
    else:
        response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    # The client may still be sending: close the connection rather than read the rest.
    response["Connection"] = "close"
    return response


# --- Cache headers -------------------------------------------------------------------------------

#: For anything only the signed-in person may see: no shared cache stores it, no cache keeps it.
PRIVATE_NO_STORE = "private, no-store"


class ApiNoStoreMiddleware:
    """Every API answer carries ``Cache-Control: private, no-store``: answers hold one
    organisation's data and are fetched with a token, so no proxy or browser cache keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response["Cache-Control"] = PRIVATE_NO_STORE
        return response
