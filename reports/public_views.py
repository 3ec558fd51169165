"""The public verification page: no account needed, nothing revealed but issue date and number.

``/verify/<code>/`` is where the QR code on a report's cover leads; ``/verify/`` takes an
uploaded PDF and/or a typed code. Each check counts against the client address (a cache
counter), so codes cannot be guessed by brute force.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.api.throttles import CACHE_UNREACHABLE, counter_unreachable
from reports.verification import (
    PublicVerification,
    Verdict,
    code_normalize,
    report_verification_check,
)

#: The largest upload we read; Tekigo reports are far smaller.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def public_verify_allowed(request) -> bool:
    """Count one check for the client address; False once it used up the window's allowance.

    The window starts with the address's first check (the counter expires with it), so a burst
    can never straddle two windows. With several nodes the counter lives in the shared (Redis)
    cache. If that cache cannot be reached, the check goes through and a warning is logged: a code
    has 2**120 values (24 base32 characters), so an outage of the counter does not make guessing practical,
    whereas answering 500 to everyone holding a genuine report would be a real failure.
    """
    key = f"public-verify:{_client(request)}"
    try:
        cache.add(key, 0, timeout=settings.PUBLIC_VERIFY_WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=settings.PUBLIC_VERIFY_WINDOW_SECONDS)
            count = 1
    except CACHE_UNREACHABLE:
        return counter_unreachable("public verification")
    return count <= settings.PUBLIC_VERIFY_LIMIT


def _page(request, *, result=None, code: str = "", error: str = "", status: int = 200):
    response = render(
        request,
        "reports/public_verify.html",
        {"result": result, "code": code, "error": error},
        status=status,
    )
    # A code in a URL is a key to a yes/no answer: keep it out of caches and search engines.
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _too_many(request):
    return _page(
        request,
        error=_("Too many checks from your address. Please try again in a few minutes."),
        status=429,
    )


@require_http_methods(["GET", "POST"])
def public_verify(request):
    """The form (GET) and its answer (POST): upload the PDF, type the code, or both."""
    if request.method == "GET":
        return _page(request)
    if not public_verify_allowed(request):
        return _too_many(request)
    upload = request.FILES.get("file")
    typed = request.POST.get("code", "").strip()
    if upload is None and not typed:
        return _page(
            request, error=_("Upload the report's PDF, or type its verification code."), status=400
        )
    if upload is not None and upload.size > MAX_UPLOAD_BYTES:
        return _page(request, error=_("The file is too large to be a Tekigo report."), status=400)
    content = b"".join(upload.chunks()) if upload is not None else None
    code = code_normalize(typed) if typed else None
    if typed and code is None:
        # Not a code of ours: the same answer as an unknown one, and no query.
        return _page(request, result=PublicVerification(Verdict.UNKNOWN))
    return _page(request, result=report_verification_check(content=content, code=code))


@require_http_methods(["GET"])
def public_verify_code(request, code: str):
    """The page a report's QR code opens: was a report with this code issued here, and when."""
    if not public_verify_allowed(request):
        return _too_many(request)
    normalized = code_normalize(code)
    if normalized is None:
        return _page(request, result=PublicVerification(Verdict.UNKNOWN))
    result = report_verification_check(content=None, code=normalized)
    # The code goes back into the form only for a known report (to compare a file against it).
    return _page(request, result=result, code=normalized if result.report_number else "")
