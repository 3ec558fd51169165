"""Report requests and rendering.

A report is requested (snapshot frozen, row ``queued``), dispatched to the
report queue after the transaction commits, claimed by a worker (``rendering``),
and finished (``ready`` with its PDF and SHA-256, or ``failed`` with a reason).
Every step checks the row's status, so a duplicate or repeated task is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import Assessment
from portal.models import AuditEventType, User
from portal.services import audit_record
from portal.storage import file_storage, stored_file_delete, stored_file_save, stored_key
from reports.analysis import gap_analysis_compute, snapshot_sha256
from reports.models import Report, ReportLanguage, ReportStatus
from reports.rendering import report_html_render, report_pdf_render

logger = logging.getLogger(__name__)


REPORTS_FOLDER = "reports"


def report_path(name: str) -> Path:
    """The PDF on the local disk: only for the filesystem storage (tests, tools)."""
    return Path(file_storage().path(stored_key(REPORTS_FOLDER, name)))


def report_meta(report: Report) -> dict[str, str]:
    issued = timezone.localtime(report.requested_at)
    return {
        "report_id": str(report.pk),
        "issued_at": issued.strftime("%Y-%m-%d %H:%M %Z"),
        "snapshot_sha256": report.snapshot_sha256,
    }


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
    report = Report(
        organisation=assessment.organisation,
        assessment=assessment,
        language=language,
        snapshot=snapshot,
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
    with transaction.atomic():
        claimed = Report.objects.filter(
            Q(status=ReportStatus.QUEUED) | Q(status=ReportStatus.RENDERING, started_at__lt=stale),
            pk=report_id,
        ).update(
            status=ReportStatus.RENDERING,
            started_at=timezone.now(),
            worker=worker,
            failure_reason="",
        )
        if claimed:
            Report.objects.filter(pk=report_id).update(attempts=F("attempts") + 1)
    return bool(claimed)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def report_render(*, report_id: int, worker: str | None = None) -> Report:
    """Render the report's PDF from its snapshot. Harmless to run twice: a ready report is left
    alone, and a report another live worker is rendering is not touched."""
    worker = worker or worker_name()
    if not _claim(report_id, worker):
        return Report.objects.get(pk=report_id)
    report = Report.objects.select_related("organisation", "assessment").get(pk=report_id)
    html = report_html_render(
        snapshot=report.snapshot,
        language=report.language,
        report_meta=report_meta(report),
        for_pdf=True,
    )
    pdf = report_pdf_render(html=html)
    name, digest, _size = stored_file_save(
        folder=REPORTS_FOLDER, name=f"{secrets.token_hex(16)}.pdf", content=pdf.content
    )
    with transaction.atomic():
        updated = Report.objects.filter(
            pk=report_id, status=ReportStatus.RENDERING, worker=worker
        ).update(
            status=ReportStatus.READY,
            finished_at=timezone.now(),
            pdf_name=name,
            pdf_sha256=digest,
            pdf_size=len(pdf.content),
            pages=pdf.pages,
            render_seconds=round(pdf.seconds, 3),
        )
        if not updated:  # another worker took over meanwhile; keep its result
            stored_file_delete(REPORTS_FOLDER, name)
            return Report.objects.get(pk=report_id)
        report.refresh_from_db()
        _audit(
            actor=None,
            event=AuditEventType.REPORT_RENDERED,
            report=report,
            after={"pdf_sha256": digest, "pages": pdf.pages},
        )
    return report


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
