"""Django REST framework and the OpenAPI schema, configured in one place."""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only: a view that takes a file (evidence upload) sets its own MultiPartParser, so the
    # schema advertises multipart exactly where a file is uploaded.
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttles.AnonRateThrottle",
        "portal.api.throttles.UserRateThrottle",
        "portal.api.throttles.OrganisationRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "60/minute",
        "user": "1200/minute",
        # Per organisation, for work that costs worker time (portal.api.throttles).
        "reports": "60/hour",
        "exports": "60/hour",
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Tekigo API",
    "DESCRIPTION": (
        "Compliance self-assessment for Japanese AI governance. Errors always have the shape "
        '`{"errors": [{"field": "...", "message": "...", "code": "..."}]}`; `field` is null for '
        "errors that concern the whole request."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Names a generated client can read without guessing ("TypeEnum" of what?).
    "ENUM_NAME_OVERRIDES": {
        "QuestionTypeEnum": "frameworks.choices.QuestionType",
        "VersionStatusEnum": "frameworks.choices.VersionStatus",
        "AssessmentStatusEnum": "assessments.models.AssessmentStatus",
        "ReportStatusEnum": "reports.models.ReportStatus",
        "DiffItemKindEnum": ["section", "provision", "question"],
    },
    # <id:pk> (portal.api.converters): an integer that fits a database id.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 999_999_999_999_999_999}
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.retry_after_header",
    ],
}
