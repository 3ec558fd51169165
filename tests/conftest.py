from pathlib import Path

import pytest

from frameworks.files import parse_framework_file
from frameworks.services import framework_version_load
from tests.factories import StaffFactory, UserFactory

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
