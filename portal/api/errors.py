"""One error shape for the whole API: ``{"errors": [{"field", "message", "code"}]}``.

``field`` names the input (``items[3].value`` in a bulk request) or is null for errors
of the whole request. Every status code the API returns, 400 to 503, uses it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def field_path(parts, prefix: str | None = None) -> str | None:
    """The one way the API names an input: dots between names, brackets around list indexes.

    Example: ``field_path(["items", 6, "question"])`` is ``"items[6].question"``, and
    ``field_path(["roles", 0], "scoping")`` is ``"scoping.roles[0]"``.
    """
    path = prefix
    for part in parts:
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
            path = f"{path or ''}[{part}]"
        elif part in ("non_field_errors", "__all__", "detail", "__root__"):
            continue
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    if isinstance(detail, dict):
        errors = []
        for key, value in detail.items():
            errors.extend(_flatten(value, field_path([key], field)))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)):
                errors.extend(_flatten(item, f"{field}[{index}]" if field else f"[{index}]"))
            else:
                errors.extend(_flatten(item, field))
        return errors
    code = getattr(detail, "code", "invalid")
    return [{"field": field, "message": str(detail), "code": code}]


def error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"errors": errors}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def _conflict_errors(exc) -> list[dict[str, Any]]:
    """A domain conflict's messages, keeping the field it names (``revision``, ``status``)."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [
            {"field": field_path([key]), "message": message, "code": "conflict"}
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    messages = exc.messages if hasattr(exc, "messages") else [str(exc)]
    return [{"field": None, "message": message, "code": "conflict"} for message in messages]


def exception_handler(exc, context):
    """DRF's handler, then Django's own exceptions, all rendered in the one shape.

    A domain exception that sets ``http_status = 409`` (a published version, a locked
    assessment, a stale revision) becomes a 409 with its message.
    """
    if getattr(exc, "http_status", None) == status.HTTP_409_CONFLICT:
        return Response(error_body(_conflict_errors(exc)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):  # a form or multipart body over Django's limits
        exc = RequestTooLarge(str(exc))
    elif isinstance(exc, ValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled API error", exc_info=exc)
        return Response(
            error_body([{"field": None, "message": "Internal error.", "code": "server_error"}]),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    response.data = error_body(_flatten(response.data))
    return response


def json_error(request, status_code: int, message: str, code: str) -> JsonResponse:
    return JsonResponse(
        error_body([{"field": None, "message": message, "code": code}]), status=status_code
    )
