"""Evidence packs: every evidence file of an assessment in one ZIP, with an index.

``evidence_pack_request`` records the pack and queues :func:`reports.tasks.evidence_pack_build_task`
after the commit; ``evidence_pack_build`` (the task's service) claims it, stores the ZIP through
the file storage under ``packs/`` with ``index.csv`` (UTF-8 with BOM) and ``index.html``, updates the
progress as it goes, and finishes it ``ready`` with its SHA-256, or ``failed`` with the reason.
A pack that is not ``queued`` is left alone, so a repeated task is harmless.

Inside the ZIP each file is ``files/<question reference>/<evidence id>-<original name>``: names
cannot collide and a reader can find a question's files.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import shutil
import tempfile
import zipfile

from django.core.files import File
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from assessments.evidence_files import EVIDENCE_FOLDER
from assessments.models import Assessment, Evidence
from portal.models import AuditEventType, User
from portal.services import audit_record
from portal.storage import stored_file_open, stored_file_save
from reports.models import EvidencePack, EvidencePackStatus

PROGRESS_EVERY = 5
#: A pack up to this size is built in memory, a larger one in a temporary file.
SPOOL_MAX_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024


PACKS_FOLDER = "packs"


def _audit(*, actor, event, pack: EvidencePack, after=None) -> None:
    audit_record(
        actor=actor,
        event_type=event,
        obj=pack,
        after=after,
        organisation=pack.organisation,
        context=pack.assessment,
    )


@transaction.atomic
def evidence_pack_request(*, actor: User, assessment: Assessment) -> EvidencePack:
    """Record a new pack and queue its build once the transaction commits."""
    pack = EvidencePack(
        organisation=assessment.organisation, assessment=assessment, requested_by=actor
    )
    pack.full_clean()
    pack.save()
    _audit(actor=actor, event=AuditEventType.EVIDENCE_PACK_REQUESTED, pack=pack)
    transaction.on_commit(lambda: _dispatch(pack.pk))
    return pack


def _dispatch(pack_id: int) -> None:
    from reports.tasks import evidence_pack_build_task

    try:
        evidence_pack_build_task.apply_async(args=[pack_id], retry=False)
    except Exception as exc:  # the broker is down: the pack stays queued and says why
        EvidencePack.objects.filter(pk=pack_id, status=EvidencePackStatus.QUEUED).update(
            failure_reason=f"waiting: {exc}"[:300]
        )


def _safe(name: str) -> str:
    cleaned = re.sub(r"[\\/\x00-\x1f:*?\"<>|]+", "_", name).strip(" .")
    return cleaned[:120] or "file"


def evidence_pack_build(*, pack_id: int) -> EvidencePack:
    """Build the ZIP of a queued pack (the task's work)."""
    claimed = EvidencePack.objects.filter(pk=pack_id, status=EvidencePackStatus.QUEUED).update(
        status=EvidencePackStatus.BUILDING, started_at=timezone.now(), failure_reason=""
    )
    pack = EvidencePack.objects.select_related("assessment", "organisation").get(pk=pack_id)
    if not claimed:
        return pack
    files = list(
        Evidence.objects.filter(answer__assessment=pack.assessment)
        .select_related("answer__question__provision", "uploaded_by")
        .order_by("answer__question__order", "uploaded_at", "id")
    )
    EvidencePack.objects.filter(pk=pack_id).update(files_total=len(files))
    rows = []
    # Built in a temporary file (in memory while small), then stored in one piece: a reader
    # never sees half a ZIP, and object storage needs no local folder shared between nodes.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, item in enumerate(files, start=1):
                question = item.answer.question
                inner = (
                    f"files/{_safe(question.provision.ref)}/{item.pk}-{_safe(item.original_name)}"
                )
                try:
                    source = stored_file_open(EVIDENCE_FOLDER, item.stored_name)
                except FileNotFoundError:
                    state = "missing from storage"
                else:
                    with source, archive.open(inner, "w") as target:
                        shutil.copyfileobj(source, target, CHUNK_BYTES)
                    state = "included"
                rows.append(
                    {
                        "question": f"{question.provision.ref} {question.prompt_en}",
                        "question_ja": question.prompt_ja,
                        "file": inner if state == "included" else "",
                        "name": item.original_name,
                        "size": item.size,
                        "sha256": item.sha256,
                        "uploaded_by": item.uploaded_by.get_username() if item.uploaded_by else "",
                        "uploaded_at": timezone.localtime(item.uploaded_at).isoformat(
                            timespec="seconds"
                        ),
                        "state": state,
                    }
                )
                if done % PROGRESS_EVERY == 0 or done == len(files):
                    EvidencePack.objects.filter(pk=pack_id).update(files_done=done)
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["question"])
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr("index.csv", "\ufeff" + buffer.getvalue())
            with translation.override("ja"):
                html = render_to_string("reports/evidence_index.html", {"pack": pack, "rows": rows})
            archive.writestr("index.html", html)
        name, digest, size = stored_file_save(
            folder=PACKS_FOLDER, name=f"{secrets.token_hex(16)}.zip", content=File(spool)
        )
    except Exception as exc:
        evidence_pack_fail(pack_id=pack_id, reason=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        spool.close()
    with transaction.atomic():
        EvidencePack.objects.filter(pk=pack_id).update(
            status=EvidencePackStatus.READY,
            finished_at=timezone.now(),
            file_name=name,
            sha256=digest,
            size=size,
        )
        pack.refresh_from_db()
        _audit(
            actor=None,
            event=AuditEventType.EVIDENCE_PACK_BUILT,
            pack=pack,
            after={"sha256": digest, "files": len(files)},
        )
    return pack


def evidence_pack_release(*, pack_id: int) -> bool:
    """Give back a building pack after a transient error, so the retry can claim it again."""
    return bool(
        EvidencePack.objects.filter(pk=pack_id, status=EvidencePackStatus.BUILDING).update(
            status=EvidencePackStatus.QUEUED
        )
    )


def evidence_pack_fail(*, pack_id: int, reason: str) -> None:
    with transaction.atomic():
        updated = (
            EvidencePack.objects.filter(pk=pack_id)
            .exclude(status=EvidencePackStatus.READY)
            .update(
                status=EvidencePackStatus.FAILED,
                finished_at=timezone.now(),
                failure_reason=reason[:2000],
            )
        )
        if updated:
            pack = EvidencePack.objects.select_related("assessment", "organisation").get(pk=pack_id)
            _audit(
                actor=None,
                event=AuditEventType.EVIDENCE_PACK_FAILED,
                pack=pack,
                after={"reason": reason[:300]},
            )


def evidence_pack_download_record(*, actor: User, pack: EvidencePack) -> None:
    _audit(
        actor=actor,
        event=AuditEventType.EVIDENCE_PACK_DOWNLOADED,
        pack=pack,
        after={"sha256": pack.sha256},
    )
