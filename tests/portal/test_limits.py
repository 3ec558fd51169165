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
