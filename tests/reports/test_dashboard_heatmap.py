"""The portfolio heat map with a provision that applies but asks nothing (found by the bench)."""

from __future__ import annotations

import pytest

from assessments.services import assessment_create
from tests.conftest import PROVIDER_WITH_PI

pytestmark = pytest.mark.django_db


def test_a_provision_in_scope_without_questions_does_not_break_the_portfolio(
    client, officer, organisation, published_version, staff
):
    """Analysis status "applies" (in scope, nothing to ask, e.g. a threshold band) is not
    assessed: the heat map leaves its cell empty instead of failing with a KeyError."""
    from frameworks.models import Section, Source
    from frameworks.services import framework_version_clone, framework_version_publish
    from tests.factories import ProvisionFactory

    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    ProvisionFactory(
        version=draft,
        section=Section.objects.get(version=draft, key="ch1"),
        source=Source.objects.filter(version=draft).first(),
        actors=["ai_provider"],
    )
    version = framework_version_publish(actor=staff, version=draft)
    assessment_create(
        actor=officer,
        organisation=organisation,
        name="With a band",
        versions=[version],
        scoping=PROVIDER_WITH_PI,
    )
    client.force_login(officer)
    page = client.get("/portfolio/")
    assert page.status_code == 200
    assert "With a band" in page.content.decode() and 'class="heatmap"' in page.content.decode()
