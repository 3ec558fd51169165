"""Reads of reports, scoped to the organisations the user belongs to."""

from __future__ import annotations

import hashlib
import re

from django.db.models import QuerySet
from django.http import Http404

from assessments.models import Assessment
from portal.models import User
from portal.selectors import organisation_ids_readable
from reports.models import Report


def access_report(*, user: User, pk: int) -> Report:
    """The report if the user is a member of its organisation; the same 404 otherwise."""
    report = Report.objects.select_related("organisation", "assessment").filter(pk=pk).first()
    if (
        report is None
        or not user.is_authenticated
        # Contributors see only the questions assigned to them, never reports.
        or not organisation_ids_readable(user=user)
        .filter(organisation_id=report.organisation_id)
        .exists()
    ):
        raise Http404("No such report.")
    return report


def report_list(*, assessment: Assessment) -> QuerySet[Report]:
    return (
        Report.objects.filter(assessment=assessment)
        .select_related("requested_by")
        .order_by("-requested_at", "-id")
    )


def report_verify_get(*, user: User, sha256: str) -> Report | None:
    """The ready report with this PDF hash, if it was issued to one of the user's organisations.

    Reports of other organisations are indistinguishable from unknown hashes.
    """
    organisation_ids = organisation_ids_readable(user=user)
    return (
        Report.objects.filter(pdf_sha256=sha256.lower(), organisation_id__in=organisation_ids)
        .select_related("organisation", "assessment")
        .first()
    )


#: A SHA-256 as typed or pasted: 64 hexadecimal characters.
SHA256_PATTERN = re.compile(r"^[0-9a-fA-F]{64}$")


def file_sha256(upload) -> str:
    """The SHA-256 of an uploaded file, read in chunks."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()
