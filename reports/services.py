"""Report requests and rendering.

A report is requested (snapshot frozen, row ``queued``), dispatched to the
report queue after the transaction commits, claimed by a worker (``rendering``),
and finished (``ready`` with its PDF and SHA-256, or ``failed`` with a reason).
Every step checks the row's status, so a duplicate or repeated task is harmless.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import secrets
import socket
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.models import Assessment
from assessments.services import assessment_approved_set, assessment_reopen
from portal.models import AuditEventType, Membership, User
from portal.services import audit_record
from portal.stack import call_with_stack_room
from portal.storage import file_storage, stored_file_delete, stored_file_save, stored_key
from reports.analysis import action_items, gap_analysis_compute, snapshot_sha256
from reports.models import Report, ReportLanguage, ReportStatus, SignOff
from reports.rendering import (
    ReportResourceMissing,
    attachment_url,
    collector_paused,
    report_html_render,
    report_pdf_render,
)
from reports.selectors import (
    changes_since_previous_get,
    report_approval_meta,
    report_stage_get,
    signoff_live_get,
)
from reports.snapshot import ActionItem
from reports.verification import report_pdf_sign, report_verification_url, verification_qr_svg

logger = logging.getLogger(__name__)


REPORTS_FOLDER = "reports"


def report_path(name: str) -> Path:
    """The PDF on the local disk: only for the filesystem storage (tests, tools)."""
    return Path(file_storage().path(stored_key(REPORTS_FOLDER, name)))


def report_meta(report: Report) -> dict[str, Any]:
    """What the report prints besides its snapshot: id, issue time, hash, marking.

    Other parts add keys to this dict (the template reads them when present): the review
    workflow ``approval`` (dict or None) and ``stage``; signing ``verification_code``,
    ``verification_url`` and ``qr_svg``. What changed since the previous approved assessment
    is part of the snapshot (``snapshot.previous``), not of this dict.
    """
    issued = timezone.localtime(report.requested_at)
    verification_url = report_verification_url(report)
    meta = {
        "report_id": str(report.pk),
        "issued_at": issued.strftime("%Y-%m-%d %H:%M %Z"),
        "snapshot_sha256": report.snapshot_sha256,
        # --- Verification (signing) ---
        "verification_code": report.verification_code,
        "verification_url": verification_url,
        "qr_svg": verification_qr_svg(verification_url),
        "confidentiality": report.organisation.confidentiality_marking,
    }
    # --- Approval ---
    meta["approval"] = report_approval_meta(report=report)
    meta["stage"] = report_stage_get(report=report, approved=meta["approval"] is not None)
    return meta


def report_logo_attachment(organisation) -> dict[str, tuple[bytes, str]]:
    """The organisation's cover logo as a renderer attachment (``{"logo": (bytes, mime)}``), or {}.

    The logo was validated as PNG or JPEG on upload; it is read here and handed to the renderer
    as data, so the renderer never opens a media path or URL itself.
    """
    if not organisation.logo:
        return {}
    with organisation.logo.open("rb") as handle:
        content = handle.read()
    mime = "image/png" if content[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    return {"logo": (content, mime)}


def _audit(
    *, actor: User | None, event: AuditEventType, report: Report, before=None, after=None
) -> None:
    audit_record(
        actor=actor,
        event_type=event,
        obj=report,
        before=before,
        after=after,
        organisation=report.organisation,
        context=report.assessment,
    )


# --- Request and dispatch --------------------------------------------------------------------


@transaction.atomic
def report_request(*, actor: User, assessment: Assessment, language: str) -> Report:
    """Freeze the analysis now and queue the PDF. The task is sent after the commit."""
    if language not in ReportLanguage.values:
        raise ValidationError({"language": _("Choose Japanese or English.")})
    snapshot = gap_analysis_compute(assessment=assessment)
    snapshot.actions = [
        ActionItem.model_validate(item) for item in action_items(assessment=assessment)
    ]
    # Frozen with the rest: the baseline is itself a frozen, approved snapshot.
    snapshot.previous = changes_since_previous_get(assessment=assessment, snapshot=snapshot)
    report = Report(
        organisation=assessment.organisation,
        assessment=assessment,
        language=language,
        snapshot=snapshot.dump(),
        snapshot_sha256=snapshot_sha256(snapshot),
        requested_by=actor,
    )
    report.full_clean()
    report.save()
    _audit(
        actor=actor,
        event=AuditEventType.REPORT_REQUESTED,
        report=report,
        after={"language": language, "snapshot_sha256": report.snapshot_sha256},
    )
    transaction.on_commit(lambda: report_dispatch(report_id=report.pk))
    return report


def report_dispatch(*, report_id: int) -> bool:
    """Hand the render task to the broker; if it cannot be reached, note why and leave the
    report queued (the requeue sweep sends it once the broker is back). Never raises."""
    from reports.tasks import report_render_task

    try:
        report_render_task.apply_async(args=[report_id], retry=False)
    except Exception as exc:  # any broker failure: connection refused, timeout, DNS
        logger.warning("report %s: broker unreachable: %s", report_id, exc)
        Report.objects.filter(pk=report_id, status=ReportStatus.QUEUED).update(
            dispatch_error=str(exc)[:300]
        )
        return False
    Report.objects.filter(pk=report_id).update(dispatched_at=timezone.now(), dispatch_error="")
    return True


# --- Rendering -------------------------------------------------------------------------------


def _claim(report_id: int, worker: str) -> bool:
    """Move the report to 'rendering' for this worker, unless someone else holds a fresh claim."""
    stale = timezone.now() - dt.timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS)
    claimed = Report.objects.filter(
        Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RENDERING, started_at__lt=stale),
        pk=report_id,
    ).update(
        status=ReportStatus.RENDERING,
        started_at=timezone.now(),
        worker=worker,
        failure_reason="",
        attempts=F("attempts") + 1,
    )
    return bool(claimed)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def report_render(*, report_id: int, worker: str | None = None) -> Report:
    """Render the report's PDF from its snapshot. Harmless to run twice: a ready report is left
    alone, and a report another live worker is rendering is not touched."""
    worker = worker or worker_name()
    if not _claim(report_id, worker):
        return Report.objects.get(pk=report_id)
    # The collector is off while the report is made, and its one pass runs after the report is
    # marked ready (a quarter of the render otherwise; see collector_paused).
    with collector_paused():
        return _report_render_claimed(report_id=report_id, worker=worker)


def _report_render_claimed(*, report_id: int, worker: str) -> Report:
    report = Report.objects.select_related("organisation", "assessment").get(pk=report_id)
    meta = report_meta(report)
    attachments = report_logo_attachment(report.organisation)
    if attachments:
        meta["logo_url"] = attachment_url("logo")
    html = report_html_render(
        snapshot=report.snapshot, language=report.language, report_meta=meta, for_pdf=True
    )
    try:
        # With room on Python's frame stack: up to a sixth of WeasyPrint's time otherwise, by
        # how deep the worker happens to call it (see portal.stack).
        pdf = call_with_stack_room(report_pdf_render, html=html, attachments=attachments)
    except ReportResourceMissing as exc:
        # Never a ready report that lost its stylesheet, images or font: a failure, on the row.
        logger.error("report %s: %s", report_id, exc)
        report_fail(
            report_id=report_id, reason=f"A resource of the report could not be loaded: {exc}"
        )
        return Report.objects.get(pk=report_id)
    pdf = dataclasses.replace(pdf, content=report_pdf_sign(report=report, content=pdf.content))
    name, digest, _size = stored_file_save(
        folder=REPORTS_FOLDER, name=f"{secrets.token_hex(16)}.pdf", content=pdf.content
    )
    ready = {
        "status": ReportStatus.READY,
        "finished_at": timezone.now(),
        "pdf_name": name,
        "pdf_sha256": digest,
        "pdf_size": len(pdf.content),
        "pages": pdf.pages,
        "render_seconds": round(pdf.seconds, 3),
    }
    with transaction.atomic():
        updated = Report.objects.filter(
            pk=report_id, status=ReportStatus.RENDERING, worker=worker
        ).update(**ready)
        if not updated:  # another worker took over meanwhile; keep its result
            stored_file_delete(REPORTS_FOLDER, name)
            return Report.objects.get(pk=report_id)
        # Only what the update wrote: reading the whole row again would decode the snapshot
        # (about 1 MB of JSON for the demo assessment, 9 ms) for nothing.
        report.refresh_from_db(fields=list(ready))
        _audit(
            actor=None,
            event=AuditEventType.REPORT_RENDERED,
            report=report,
            after={"pdf_sha256": digest, "pages": pdf.pages},
        )
        if report.requested_by_id:
            transaction.on_commit(lambda: _notify_report_ready(report))
    return report


def _notify_report_ready(report: Report) -> None:
    from django.urls import reverse
    from django.utils.translation import gettext_noop

    from portal.models import NotificationKind
    from portal.services import notify

    notify(
        recipient=report.requested_by,
        kind=NotificationKind.REPORT_READY,
        title=gettext_noop("Report %(n)s of %(assessment)s is ready"),
        params={"n": report.pk, "assessment": report.assessment.name},
        url=reverse("assessments:detail", args=[report.assessment_id]),
        obj=report,
        organisation=report.organisation,
    )


def report_fail(*, report_id: int, reason: str) -> None:
    """Record a failure that retrying will not fix."""
    with transaction.atomic():
        updated = (
            Report.objects.filter(pk=report_id)
            .exclude(status=ReportStatus.READY)
            .update(
                status=ReportStatus.FAILED, finished_at=timezone.now(), failure_reason=reason[:2000]
            )
        )
        if updated:
            report = Report.objects.select_related("organisation", "assessment").get(pk=report_id)
            _audit(
                actor=None,
                event=AuditEventType.REPORT_FAILED,
                report=report,
                after={"reason": reason[:300]},
            )


def report_requeue_stale(*, worker_prefix: str | None = None) -> list[int]:
    """Send again every report that is stuck: queued but never handed to the broker, or
    'rendering' by a worker that died (past the stale limit, or named ``worker_prefix``,
    which a restarted worker passes for its own previous incarnation)."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS)
    undispatched = Q(
        status=ReportStatus.QUEUED,
        dispatched_at__isnull=True,
        requested_at__lt=now - dt.timedelta(seconds=5),
    )
    lost = Q(status=ReportStatus.QUEUED, dispatched_at__lt=stale)
    dead = Q(status=ReportStatus.RENDERING, started_at__lt=stale)
    if worker_prefix:
        dead |= Q(status=ReportStatus.RENDERING, worker__startswith=worker_prefix)
    ids = list(Report.objects.filter(undispatched | lost | dead).values_list("pk", flat=True))
    for report_id in ids:
        Report.objects.filter(pk=report_id, status=ReportStatus.RENDERING).update(
            status=ReportStatus.QUEUED, worker=""
        )
        report_dispatch(report_id=report_id)
    return ids


# --- Reading ---------------------------------------------------------------------------------


def report_download_record(*, actor: User, report: Report) -> None:
    _audit(
        actor=actor,
        event=AuditEventType.REPORT_DOWNLOADED,
        report=report,
        after={"pdf_sha256": report.pdf_sha256},
    )


# --- Approval --------------------------------------------------------------------------------


@transaction.atomic
def assessment_approve(
    *,
    actor: User,
    assessment: Assessment,
    statement: str,
    language: str,
    expected_revision: int | None = None,
) -> SignOff:
    """Approve a submitted assessment: the four-eyes check, a report of exactly what is approved,
    and a sign-off bound to that report's snapshot, all or nothing.

    Example: ``auditor2`` approves *FY2026 review* (submitted by ``officer``) with "I reviewed the
    answers and evidence"; report 41 is requested (snapshot ``3f…``, stage "approved") and the
    sign-off names ``3f…``. A later report of the same assessment is not approved.
    Raises PermissionDenied (not an auditor, or the submitter), AssessmentStateError (not in
    review, open queries) or ValidationError (statement, language).
    """
    assessment = assessment_approved_set(
        actor=actor, assessment=assessment, statement=statement, expected_revision=expected_revision
    )
    report = report_request(actor=actor, assessment=assessment, language=language)
    membership = Membership.objects.get(user=actor, organisation_id=assessment.organisation_id)
    with translation.override(language):  # the role as the approved report names it
        role = str(membership.get_role_display())
    signoff = SignOff(
        report=report,
        snapshot_sha256=report.snapshot_sha256,
        approved_by=actor,
        approver_name=actor.get_full_name() or actor.get_username(),
        approver_role=role,
        statement=statement.strip(),
    )
    signoff.full_clean(exclude=["report", "approved_by"])
    signoff.save()
    audit_record(
        actor=actor,
        event_type=AuditEventType.SIGNOFF_RECORDED,
        obj=signoff,
        after={
            "report": report.pk,
            "snapshot_sha256": signoff.snapshot_sha256,
            "statement": signoff.statement,
            "approver_role": signoff.approver_role,
        },
        organisation=assessment.organisation,
        context=assessment,
    )
    return signoff


@transaction.atomic
def assessment_reopen_approved(
    *, actor: User, assessment: Assessment, reason: str, expected_revision: int | None = None
) -> Assessment:
    """Reopen an approved assessment with a reason and void its live sign-off in one step.

    The reason is recorded on the sign-off and in the audit log; the approved report stays as
    issued but is no longer shown as approved.
    """
    assessment = assessment_reopen(
        actor=actor,
        assessment=assessment,
        reason=reason,
        expected_revision=expected_revision,
        voids_approval=True,
    )
    signoff = signoff_live_get(assessment=assessment, include_reopened=True)
    if signoff is not None:
        signoff = SignOff.objects.select_for_update().get(pk=signoff.pk)
        signoff.voided_at = timezone.now()
        signoff.void_reason = reason.strip()
        signoff.full_clean(exclude=["report", "approved_by"])
        signoff.save(update_fields=["voided_at", "void_reason"])
        audit_record(
            actor=actor,
            event_type=AuditEventType.SIGNOFF_VOIDED,
            obj=signoff,
            before={"voided_at": None},
            after={"voided_at": signoff.voided_at.isoformat(), "reason": signoff.void_reason},
            organisation=assessment.organisation,
            context=assessment,
        )
    return assessment


# --- Retries (issue 14) ------------------------------------------------------------------------


def report_release(*, report_id: int, worker: str) -> bool:
    """Give back this worker's claim on a report after a transient error, so a retry can claim
    it again at once (instead of waiting ``REPORT_STALE_AFTER_SECONDS``). True if released."""
    return bool(
        Report.objects.filter(pk=report_id, status=ReportStatus.RENDERING, worker=worker).update(
            status=ReportStatus.QUEUED, worker=""
        )
    )
