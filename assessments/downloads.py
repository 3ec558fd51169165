"""File downloads of the assessments app, shared by the pages and the API."""

from __future__ import annotations

from django.http import FileResponse, Http404

from assessments import services
from assessments.evidence_files import EVIDENCE_FOLDER
from portal.middleware import PRIVATE_NO_STORE
from portal.storage import stored_file_open


def evidence_file_response(*, actor, assessment, evidence) -> FileResponse:
    """The stored file as a download streamed from the file storage (the page and the API both
    serve it this way), recorded in the audit log. Uploaded content is never rendered by the
    browser: attachment, nosniff, sandbox; and never kept by a cache."""
    try:
        handle = stored_file_open(EVIDENCE_FOLDER, evidence.stored_name)
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    services.evidence_download_record(actor=actor, assessment=assessment, evidence=evidence)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = PRIVATE_NO_STORE  # one organisation's file: never kept by a cache
    return response


# --- Remediation actions ---


def action_evidence_file_response(*, actor, action, evidence) -> FileResponse:
    """A file proving an action is done, served like answer evidence and recorded."""
    try:
        handle = stored_file_open(EVIDENCE_FOLDER, evidence.stored_name)
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    services.action_evidence_download_record(actor=actor, action=action, evidence=evidence)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
