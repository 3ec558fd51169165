"""The API's JSON parser: a size limit per view, and a depth limit.

Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) is the limit of every JSON body, except where
a view sets ``max_body_bytes`` (the bulk save of answers, which may carry a whole assessment).
A larger body is a 413 with a reason; a body nested deeper than ``MAX_DEPTH`` is a 400 (Python's
json module would otherwise exhaust the stack: a 500).
"""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework import parsers, renderers
from rest_framework.exceptions import ParseError

from portal.api.errors import RequestTooLarge

#: No request of the API nests deeper than a few levels; 32 leaves room for any answer value.
MAX_DEPTH = 32


def json_depth(value) -> int:
    """How deep ``value`` nests: ``1`` for ``"x"``, ``2`` for ``[1]``, ``3`` for ``{"a": [1]}``."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.BaseParser):
    """``application/json``. Not a subclass of DRF's JSONParser on purpose: DRF reads the body of
    those through ``HttpRequest.body``, which applies the global limit before the view's."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        view = parser_context.get("view")
        limit = getattr(view, "max_body_bytes", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise RequestTooLarge(
                f"The request body is larger than {limit // 1024} KiB. Send fewer items per request."
            )
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from None
        except ValueError as exc:  # includes UnicodeDecodeError
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth(data) > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        return data
