"""Shared OpenAPI pieces: every endpoint documents its error responses with the one error shape."""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorShape = inline_serializer(
    name="Errors",
    fields={
        "errors": serializers.ListField(
            child=inline_serializer(
                name="Error",
                fields={
                    "field": serializers.CharField(allow_null=True),
                    "message": serializers.CharField(),
                    "code": serializers.CharField(),
                },
            )
        )
    },
)

ERRORS = {
    400: OpenApiResponse(ErrorShape, description="Invalid input: each error names its field."),
    401: OpenApiResponse(ErrorShape, description="Not signed in, or an invalid token."),
    403: OpenApiResponse(
        ErrorShape, description="Signed in, but not allowed (e.g. an auditor writing)."
    ),
    404: OpenApiResponse(ErrorShape, description="Missing, or belongs to another organisation."),
    409: OpenApiResponse(
        ErrorShape,
        description="Conflicts with the current state (published, locked, stale revision).",
    ),
    413: OpenApiResponse(ErrorShape, description="The request body is too large."),
    429: OpenApiResponse(
        ErrorShape,
        description="Too many requests: retry after the number of seconds in Retry-After.",
    ),
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, with list mechanics (filters, ordering, pagination) on GETs only.

    A view such as ``AnswerListApi`` lists with GET and saves many with POST; the POST takes a
    body, not filters, and answers a plain list, not a page.
    """

    def get_filter_backends(self):
        return super().get_filter_backends() if self.method == "GET" else []

    def _get_paginator(self):
        return super()._get_paginator() if self.method == "GET" else None


def retry_after_header(result, generator, request, public):
    """Postprocessing hook: every documented 429 carries its Retry-After header."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            response = (
                operation.get("responses", {}).get("429") if isinstance(operation, dict) else None
            )
            if response is not None:
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before retrying.",
                    }
                }
    return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token tk_… (create one under API tokens)",
        }
