"""Evidence files attached to answers."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from assessments.evidence_files import EVIDENCE_FOLDER, evidence_type_check
from assessments.models import (
    Answer,
    Assessment,
    Evidence,
)
from portal.models import AuditEventType, User
from portal.storage import stored_file_delete, stored_file_save

from ._shared import _audit, _refuse_if_locked
from .answers import _question_of

# --- Evidence --------------------------------------------------------------------------------


@transaction.atomic
def evidence_upload(
    *, actor: User, assessment: Assessment, question_id: int, upload: UploadedFile
) -> Evidence:
    """Store a file for the answer to ``question_id`` (creating an empty answer if needed).

    The file is checked (size, extension, content matching the extension), written through
    the file storage under a random name outside the web root, and hashed as it streams;
    nothing is kept on failure.
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    question = _question_of(assessment, question_id)
    content_type, extension = evidence_type_check(upload, max_bytes=settings.EVIDENCE_MAX_BYTES)
    answer, created = Answer.objects.get_or_create(
        assessment=assessment, question=question, defaults={"updated_by": actor}
    )
    stored_name, sha256, size = stored_file_save(
        folder=EVIDENCE_FOLDER, name=f"{secrets.token_hex(16)}{extension}", content=upload
    )
    try:
        evidence = Evidence(
            answer=answer,
            original_name=Path(upload.name).name[:255],
            stored_name=stored_name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=actor,
        )
        evidence.full_clean()
        evidence.save()
        _audit(
            actor=actor,
            event=AuditEventType.EVIDENCE_UPLOADED,
            assessment=assessment,
            obj=evidence,
            after={"name": evidence.original_name, "sha256": evidence.sha256, "size": size},
            subject=question.urn,
        )
    except BaseException:
        # Nothing is kept when the upload fails half way.
        stored_file_delete(EVIDENCE_FOLDER, stored_name)
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, actor: User, assessment: Assessment, evidence: Evidence) -> None:
    """Detach a file from its answer. The stored file stays: history and issued reports cite its
    hash, and other rows may link the same file (an upgrade's or a roll-forward's links,
    tests/assessments/test_rollforward.py)."""
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    _audit(
        actor=actor,
        event=AuditEventType.EVIDENCE_DELETED,
        assessment=assessment,
        obj=evidence,
        before={"name": evidence.original_name, "sha256": evidence.sha256},
        subject=evidence.answer.question.urn,
    )
    evidence.delete()


def evidence_download_record(*, actor: User, assessment: Assessment, evidence: Evidence) -> None:
    _audit(
        actor=actor,
        event=AuditEventType.EVIDENCE_DOWNLOADED,
        assessment=assessment,
        obj=evidence,
        after={"name": evidence.original_name, "sha256": evidence.sha256},
        subject=evidence.answer.question.urn,
    )
