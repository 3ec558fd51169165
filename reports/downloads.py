"""File downloads of the reports app, shared by the pages and the API."""

from __future__ import annotations

from django.http import FileResponse, Http404

from portal.middleware import PRIVATE_NO_STORE
from portal.storage import stored_file_open
from reports import services
from reports.models import ReportStatus


def report_file_response(*, actor, report) -> FileResponse:
    """A ready report's PDF as a download streamed from the file storage (for the page and the
    API), recorded in the audit log."""
    if report.status != ReportStatus.READY:
        raise Http404("The report is not ready.")
    try:
        handle = stored_file_open(services.REPORTS_FOLDER, report.pdf_name)
    except FileNotFoundError:
        raise Http404("The report file is missing.") from None
    services.report_download_record(actor=actor, report=report)
    filename = f"tekigo-report-{report.pk}-{report.language}.pdf"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = PRIVATE_NO_STORE  # one organisation's report: never kept by a cache
    return response


def evidence_pack_file_response(*, actor, pack) -> FileResponse:
    """A ready evidence pack as a download, recorded in the audit log."""
    from reports.models import EvidencePackStatus
    from reports.packs import PACKS_FOLDER, evidence_pack_download_record

    if pack.status != EvidencePackStatus.READY:
        raise Http404("The evidence pack is not ready.")
    try:
        handle = stored_file_open(PACKS_FOLDER, pack.file_name)
    except FileNotFoundError:
        raise Http404("The evidence pack file is missing.") from None
    evidence_pack_download_record(actor=actor, pack=pack)
    filename = f"tekigo-evidence-{pack.assessment_id}-{pack.pk}.zip"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Cache-Control"] = PRIVATE_NO_STORE
    return response
