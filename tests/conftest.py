import os
from pathlib import Path

import pytest

from frameworks.files import parse_framework_file
from frameworks.services import framework_version_load
from tests.factories import StaffFactory, UserFactory

# Real-service fixtures (redis_server, broker, worker) for the integration, fault and browser tests.
pytest_plugins = ["tests.support", "tests.clusters"]

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "frameworks" / "minimal.yaml"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def user(db):
    return UserFactory(username="reader")


@pytest.fixture
def staff(db):
    return StaffFactory(username="admin")


@pytest.fixture
def reader_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def minimal_document():
    return parse_framework_file(MINIMAL)


@pytest.fixture
def published_version(db, minimal_document):
    """The minimal framework file, loaded and published (3 questions, 3 sections)."""
    return framework_version_load(document=minimal_document).version


# --- Assessments -------------------------------------------------------------------------------

from assessments.scoping import ScopingProfile  # noqa: E402
from assessments.services import assessment_create  # noqa: E402
from tests.factories import MembershipFactory, OrganisationFactory  # noqa: E402

PROVIDER_WITH_PI = ScopingProfile(roles=["ai_provider"], handles_personal_info=True)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Acme AI")


@pytest.fixture
def officer(organisation):
    return MembershipFactory(
        user__username="officer", organisation=organisation, role="officer"
    ).user


@pytest.fixture
def auditor(organisation):
    return MembershipFactory(
        user__username="auditor", organisation=organisation, role="auditor"
    ).user


@pytest.fixture
def other_officer(db):
    return MembershipFactory(
        user__username="intruder", organisation__name="Rival Co", role="officer"
    ).user


@pytest.fixture
def assessment(officer, organisation, published_version):
    """An assessment of the minimal framework, scoped as an AI provider handling personal information."""
    return assessment_create(
        actor=officer,
        organisation=organisation,
        name="FY2026 review",
        versions=[published_version],
        scoping=PROVIDER_WITH_PI,
    )


def question_of(version, suffix: str):
    from frameworks.models import Question

    return Question.objects.get(version=version, urn__endswith=suffix)


# --- API rate limits (issue 13) ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, keyed by user, address or organisation id, and ids
    repeat from test to test: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def pytest_collection_modifyitems(config, items):
    """``scripts/test`` runs the suite twice, on SQLite then on PostgreSQL, and names the pass in
    ``TEKIGO_TEST_PASS``. Two groups run in one pass only, to keep CI within its time budget:
    tests that do not use the database under test (``db_independent``: they start their own
    PostgreSQL, broker or nothing) run in the SQLite pass; the browser journeys (``e2e``) run in the
    PostgreSQL pass, on the production database. A plain ``pytest`` (no pass named) runs everything.
    """
    current = os.environ.get("TEKIGO_TEST_PASS")
    if current not in ("sqlite", "postgresql"):
        return
    once = {"postgresql": "db_independent", "sqlite": "e2e"}[current]
    skip = pytest.mark.skip(reason=f"{once}: runs in the other pass of scripts/test only")
    for item in items:
        if item.get_closest_marker(once):
            item.add_marker(skip)
