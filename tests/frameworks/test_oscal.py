"""OSCAL catalogs: every catalog version exports to a catalog trestle accepts, and reads back
into the same framework content."""

import json

import pytest
from trestle.oscal.catalog import Catalog

from frameworks.models import FrameworkVersion
from frameworks.oscal import OscalCatalogError, framework_version_oscal_json, oscal_catalog_document
from frameworks.selectors import document_content_hash, framework_version_document

pytestmark = pytest.mark.django_db


def _content_without_label(document) -> dict:
    content = document.content()
    content.pop("version")
    return content


def test_the_minimal_version_round_trips_through_oscal(published_version):
    exported = framework_version_oscal_json(version=published_version)
    Catalog.model_validate(json.loads(exported)["catalog"])  # trestle's own validation
    document = oscal_catalog_document(content=exported, version_label="2.0")
    original = framework_version_document(version=published_version)
    assert document.version == "2.0" and document.status == "draft"
    assert _content_without_label(document) == _content_without_label(original)


@pytest.mark.slow
def test_every_catalog_version_exports_to_valid_oscal_and_round_trips(django_db_setup, db):
    from django.core.management import call_command

    call_command("load_frameworks", verbosity=0)
    for version in FrameworkVersion.objects.all():
        exported = framework_version_oscal_json(version=version)
        catalog = Catalog.model_validate(json.loads(exported)["catalog"])
        assert catalog.metadata.version == version.version
        document = oscal_catalog_document(content=exported)
        assert document_content_hash(document) == version.content_hash, version


def test_props_carry_legal_status_strength_and_source(published_version):
    data = json.loads(framework_version_oscal_json(version=published_version))["catalog"]
    meta = {p["name"]: p["value"] for p in data["metadata"]["props"]}
    assert (
        meta["legal-status"] == "statute" and meta["framework-urn"] == "urn:tekigo:fw:example-act"
    )
    controls = [c for g in data["groups"] for c in g.get("controls", [])]
    names = {p["name"] for c in controls for p in c["props"]}
    assert {"strength", "source", "confidence", "urn"} <= names


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json", "not JSON"),
        (b'{"profile": {}}', "no OSCAL catalog"),
        (b'{"catalog": {"uuid": "x"}}', "catalog.metadata"),
    ],
)
def test_bad_files_are_refused_with_a_reason(content, message):
    with pytest.raises(OscalCatalogError) as caught:
        oscal_catalog_document(content=content)
    assert message in str(caught.value)


def test_staff_import_a_catalog_as_a_draft_and_others_cannot(
    client, staff, user, published_version
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from portal.models import AuditEvent, AuditEventType

    exported = framework_version_oscal_json(version=published_version).encode()
    url = reverse("frameworks:oscal_import")
    client.force_login(user)
    assert client.get(reverse("frameworks:oscal", args=[published_version.pk])).status_code == 200
    assert (
        client.post(
            url, {"file": SimpleUploadedFile("c.json", exported), "version": "9"}
        ).status_code
        == 302
    )
    assert not FrameworkVersion.objects.filter(version="9").exists()  # sent to the staff login
    client.force_login(staff)
    response = client.post(url, {"file": SimpleUploadedFile("c.json", exported), "version": "9"})
    draft = FrameworkVersion.objects.get(version="9")
    assert response.status_code == 302 and draft.status == "draft"
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.FRAMEWORK_VERSION_IMPORTED, object_id=str(draft.pk)
    ).exists()
    again = client.post(url, {"file": SimpleUploadedFile("c.json", exported), "version": "9"})
    assert again.status_code == 400 and FrameworkVersion.objects.filter(version="9").count() == 1
    broken = client.post(url, {"file": SimpleUploadedFile("c.json", b"{}"), "version": "10"})
    assert broken.status_code == 400 and b"no OSCAL catalog" in broken.content
