"""File downloads of the reports app, shared by the pages and the API."""

from __future__ import annotations

from django.http import FileResponse, Http404

from portal.middleware import PRIVATE_NO_STORE
from reports import services
from reports.models import ReportStatus


def report_file_response(*, actor, report) -> FileResponse:
    """A ready report's PDF as a download (for the page and the API), recorded in the audit log."""
    if report.status != ReportStatus.READY:
        raise Http404("The report is not ready.")
    path = services.report_path(report.pdf_name)
    if not path.is_file():
        raise Http404("The report file is missing.")
    services.report_download_record(actor=actor, report=report)
    filename = f"tekigo-report-{report.pk}-{report.language}.pdf"
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["Cache-Control"] = PRIVATE_NO_STORE  # one organisation's report: never kept by a cache
    return response
