"""Per-organisation limits for pages that start costly work (exports, evidence packs).

The API limits the same work with DRF throttling (``portal.api.throttles``); pages use this
module, and both count against one counter per organisation and scope. Example: with
``"exports": "60/hour"``, the 61st export of one organisation within an hour, through a page or
the API, answers 429 with ``Retry-After``; another organisation is not affected.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _

from portal.api.throttles import organisation_limit_wait


def organisation_limit_response(*, scope: str, organisation_id: int) -> HttpResponse | None:
    """Record one use of ``scope``; a 429 response with Retry-After when the limit is reached."""
    wait = organisation_limit_wait(scope=scope, organisation_id=organisation_id)
    if wait is None:
        return None
    seconds = int(wait) + 1
    response = HttpResponse(
        _("Too many exports for your organisation just now. Try again in %(n)d seconds.")
        % {"n": seconds},
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(seconds)
    return response
