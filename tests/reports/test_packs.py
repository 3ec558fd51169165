"""Evidence packs: a ZIP of every evidence file with an index, built by the task's service."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.services import evidence_upload
from portal.models import AuditEvent, AuditEventType
from portal.storage import stored_file_read
from reports.models import EvidencePack, EvidencePackStatus
from reports.packs import PACKS_FOLDER, evidence_pack_build, evidence_pack_request
from tests.conftest import question_of

pytestmark = pytest.mark.django_db


def _upload(assessment, officer, name, content):
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    return evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=question.pk,
        upload=SimpleUploadedFile(name, content),
    )


def test_a_pack_holds_every_file_and_an_index_with_hashes(
    assessment, officer, django_capture_on_commit_callbacks
):
    first = _upload(assessment, officer, "policy.pdf", b"%PDF-1.4 policy")
    _upload(
        assessment, officer, "policy.pdf", b"%PDF-1.4 second version"
    )  # same name, no collision
    with django_capture_on_commit_callbacks(execute=False):
        pack = evidence_pack_request(actor=officer, assessment=assessment)
    pack = evidence_pack_build(pack_id=pack.pk)
    assert pack.status == EvidencePackStatus.READY and (pack.files_done, pack.files_total) == (2, 2)
    content = stored_file_read(PACKS_FOLDER, pack.file_name)
    assert hashlib.sha256(content).hexdigest() == pack.sha256
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = [n for n in archive.namelist() if n.startswith("files/")]
    assert len(files) == 2 and len(set(files)) == 2
    index = list(csv.DictReader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert {row["sha256"] for row in index} == {
        first.sha256,
        hashlib.sha256(b"%PDF-1.4 second version").hexdigest(),
    }
    assert index[0]["uploaded_by"] == "officer" and "Art. 7" in index[0]["question"]
    assert "policy.pdf" in archive.read("index.html").decode()
    events = AuditEvent.objects.filter(object_type="reports.evidencepack", object_id=str(pack.pk))
    assert set(events.values_list("event_type", flat=True)) == {
        AuditEventType.EVIDENCE_PACK_REQUESTED,
        AuditEventType.EVIDENCE_PACK_BUILT,
    }


def test_building_twice_is_harmless(assessment, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        pack = evidence_pack_request(actor=officer, assessment=assessment)
    first = evidence_pack_build(pack_id=pack.pk)
    again = evidence_pack_build(pack_id=pack.pk)
    assert again.file_name == first.file_name and again.status == EvidencePackStatus.READY


def test_members_request_follow_and_download_others_get_404(
    client, assessment, officer, auditor, other_officer, django_capture_on_commit_callbacks
):
    _upload(assessment, officer, "a.txt", b"hello")
    client.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reports:pack_request", args=[assessment.pk]))
    assert response.status_code == 302
    pack = EvidencePack.objects.get()
    panel = client.get(reverse("reports:pack_panel", args=[assessment.pk]))
    assert b"every 2s" in panel.content  # still pending: the list refreshes itself
    download = reverse("reports:pack_download", args=[pack.pk])
    assert client.get(download).status_code == 404  # not ready yet
    evidence_pack_build(pack_id=pack.pk)
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    client.force_login(other_officer)
    assert client.get(download).status_code == 404
    assert client.get(reverse("reports:pack_panel", args=[assessment.pk])).status_code == 404


def test_a_transient_error_retries_and_exhausted_retries_fail_the_pack(
    assessment, officer, django_capture_on_commit_callbacks, monkeypatch
):
    from celery.exceptions import Retry
    from django.db import OperationalError

    from reports import packs
    from reports.tasks import evidence_pack_build_task

    with django_capture_on_commit_callbacks(execute=False):
        pack = evidence_pack_request(actor=officer, assessment=assessment)

    def broken(*, pack_id):
        EvidencePack.objects.filter(pk=pack_id).update(status=EvidencePackStatus.BUILDING)
        raise OperationalError("database is locked")

    monkeypatch.setattr(packs, "evidence_pack_build", broken)
    with pytest.raises(Retry):
        evidence_pack_build_task.apply(args=[pack.pk], throw=True)
    pack.refresh_from_db()
    assert pack.status == EvidencePackStatus.QUEUED  # the claim was given back for the retry
    evidence_pack_build_task.push_request(retries=5)
    try:
        evidence_pack_build_task.run(pack.pk)
    finally:
        evidence_pack_build_task.pop_request()
    pack.refresh_from_db()
    assert pack.status == EvidencePackStatus.FAILED and "Gave up" in pack.failure_reason
