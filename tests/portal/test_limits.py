"""Exports and evidence packs are limited per organisation on pages as in the API (429)."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_exports_an_hour(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "exports": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}


def test_the_third_export_of_an_organisation_waits_and_others_are_not_affected(
    client, two_exports_an_hour, assessment, officer, auditor, other_officer
):
    client.force_login(officer)
    assert (
        client.get(reverse("reports:gaps_export", args=[assessment.pk, "csv"])).status_code == 200
    )
    client.force_login(auditor)  # the same organisation: one counter, whoever asks
    assert client.get(reverse("assessments:export_xlsx", args=[assessment.pk])).status_code == 200
    refused = client.get(reverse("reports:oscal_results", args=[assessment.pk]))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.post(reverse("reports:pack_request", args=[assessment.pk])).status_code == 429

    from assessments.services import assessment_create
    from frameworks.models import FrameworkVersion
    from tests.conftest import PROVIDER_WITH_PI

    rival = MembershipFactory(
        user=other_officer, organisation__name="Rival 2", role="officer"
    ).organisation
    theirs = assessment_create(
        actor=other_officer,
        organisation=rival,
        name="Theirs",
        versions=[FrameworkVersion.objects.get()],
        scoping=PROVIDER_WITH_PI,
    )
    client.force_login(other_officer)
    assert client.get(reverse("reports:gaps_export", args=[theirs.pk, "csv"])).status_code == 200


REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_with_the_shared_cache_down_pages_and_api_still_answer(client, assessment, officer, caplog):
    """Production keeps the counters in Redis; a Redis outage lifts the limits (logged), never 500."""
    from django.test import override_settings

    client.force_login(officer)
    with override_settings(CACHES=REDIS_DOWN):
        export = client.get(reverse("reports:gaps_export", args=[assessment.pk, "csv"]))
        api = client.get(f"/api/v1/assessments/{assessment.pk}/")
    assert export.status_code == 200
    assert api.status_code == 200
    assert caplog.text.count("cache unreachable") >= 2
