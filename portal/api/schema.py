"""Shared OpenAPI pieces: every endpoint documents its error responses with the one error shape."""

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
}


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
