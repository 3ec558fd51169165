"""Evidence, report PDFs and evidence packs on a real S3-compatible server (moto's standalone
server on 127.0.0.1) through django-storages: what is uploaded or rendered is an object in the
bucket, nothing is written to MEDIA_ROOT, and the downloads stream the objects back."""

import hashlib
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Evidence
from reports.packs import evidence_pack_build, evidence_pack_request
from reports.services import report_render, report_request
from tests.clusters import needs_moto, s3_storage_settings
from tests.conftest import question_of

pytestmark = [pytest.mark.slow, pytest.mark.integration, needs_moto, pytest.mark.django_db]

BUCKET = "tekigo-test"
PDF = b"%PDF-1.7\n" + b"evidence " * 2000


@pytest.fixture
def bucket(s3_server, settings):
    """The bucket's boto3 client; the default storage points at it for the test."""
    client = s3_server.client()
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage_settings(s3_server.endpoint, BUCKET),
    }
    return client


def object_bytes(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_evidence_uploaded_and_downloaded_through_object_storage(
    bucket, client, assessment, officer, settings
):
    client.force_login(officer)
    question = question_of(assessment.pins.get().version, "q:art-7-contact")

    response = client.post(
        reverse("assessments:evidence_upload", args=[assessment.pk, question.pk]),
        {"file": SimpleUploadedFile("policy.pdf", PDF, "application/pdf")},
    )

    assert response.status_code < 400
    evidence = Evidence.objects.get()
    assert keys(bucket) == [f"evidence/{evidence.stored_name}"]
    assert object_bytes(bucket, f"evidence/{evidence.stored_name}") == PDF
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest() and evidence.size == len(PDF)
    assert not (Path(settings.MEDIA_ROOT) / "evidence").exists()

    download = client.get(
        reverse("assessments:evidence_download", args=[assessment.pk, evidence.pk])
    )

    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert download["Cache-Control"] == "private, no-store"


def test_a_report_is_rendered_into_object_storage_and_downloaded_from_it(
    bucket, client, assessment, officer, settings
):
    report = report_render(
        report_id=report_request(actor=officer, assessment=assessment, language="en").pk,
        worker="s3:1",
    )

    key = f"reports/{report.pdf_name}"
    assert keys(bucket) == [key]
    assert hashlib.sha256(object_bytes(bucket, key)).hexdigest() == report.pdf_sha256
    assert not (Path(settings.MEDIA_ROOT) / "reports").exists()

    client.force_login(officer)
    download = client.get(reverse("reports:download", args=[report.pk]))

    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    content = b"".join(download.streaming_content)
    assert hashlib.sha256(content).hexdigest() == report.pdf_sha256


def test_an_evidence_pack_reads_and_writes_object_storage(bucket, assessment, officer):
    from assessments.services import evidence_upload

    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    evidence = evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=question.pk,
        upload=SimpleUploadedFile("policy.pdf", PDF),
    )

    pack = evidence_pack_build(
        pack_id=evidence_pack_request(actor=officer, assessment=assessment).pk
    )

    assert keys(bucket) == sorted([f"evidence/{evidence.stored_name}", f"packs/{pack.file_name}"])
    archive = zipfile.ZipFile(BytesIO(object_bytes(bucket, f"packs/{pack.file_name}")))
    inside = [name for name in archive.namelist() if name.startswith("files/")]
    assert len(inside) == 1 and archive.read(inside[0]) == PDF
