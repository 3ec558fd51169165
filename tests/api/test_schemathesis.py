"""Property-based API testing: schemathesis generates requests from our OpenAPI schema and
checks, authenticated as an officer, that no response is a 5xx and every response matches
the schema. Each operation is its own test, with a bounded number of examples."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from portal.services import api_token_create

APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/schema/", APP)


@pytest.fixture
def officer_headers(db, assessment, officer, auditor):
    # As Django's test client does: keep the test's connection (and transaction) open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    _token, key = api_token_create(user=officer, name="fuzz")
    yield {"Authorization": f"Token {key}", "Accept-Language": "en"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_5xx_and_every_response_matches_the_schema(case, officer_headers):
    case.call_and_validate(
        headers=officer_headers,
        checks=[
            schemathesis.checks.not_a_server_error,
            response_schema_conformance,
            content_type_conformance,
        ],
    )
