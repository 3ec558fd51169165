"""The portfolio at the bench's scale: what the programme bench (bench/bench.py, issue 12) found
that the tests with small, evidence-free assessments did not."""

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


def test_assessments_with_evidence_render_the_portfolio_in_a_constant_number_of_queries(
    client, officer, organisation, published_version
):
    """The names of evidence uploaders were read once per assessment; now once for all."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.services import evidence_upload
    from tests.conftest import question_of

    channels = question_of(published_version, "q:pi-channels")
    client.force_login(officer)

    def add(n: int) -> None:
        for index in range(n):
            assessment = assessment_create(
                actor=officer,
                organisation=organisation,
                name=f"Evidenced {index}",
                versions=[published_version],
                scoping=PROVIDER_WITH_PI,
            )
            evidence_upload(
                actor=officer,
                assessment=assessment,
                question_id=channels.pk,
                upload=SimpleUploadedFile("policy.pdf", b"%PDF-1.4\n%%EOF\n"),
            )

    def count() -> int:
        client.get("/portfolio/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/portfolio/").status_code == 200
        return len(queries)

    add(2)
    few = count()
    add(6)
    assert count() == few
