"""Reads of reports, scoped to the organisations the user belongs to."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from assessments.models import Assessment, AssessmentStatus, QuestionReview
from portal.models import Membership, User
from portal.selectors import organisation_ids_readable
from reports.models import Report, SignOff
from reports.snapshot import ReportSnapshot, snapshot_load


def access_report(*, user: User, pk: int) -> Report:
    """The report if the user is a member of its organisation; the same 404 otherwise."""
    report = (
        report_approval_annotate(Report.objects.select_related("organisation", "assessment"))
        .filter(pk=pk)
        .first()
    )
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
        report_approval_annotate(Report.objects.filter(assessment=assessment))
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


# --- Evidence packs --------------------------------------------------------------------------


def evidence_pack_list(*, assessment: Assessment):
    from reports.models import EvidencePack

    return (
        EvidencePack.objects.filter(assessment=assessment)
        .select_related("requested_by")
        .order_by("-requested_at", "-id")
    )


def access_evidence_pack(*, user: User, pk: int):
    """The pack if the user is a member of its organisation; the same 404 otherwise."""
    from reports.models import EvidencePack

    pack = EvidencePack.objects.select_related("organisation", "assessment").filter(pk=pk).first()
    if (
        pack is None
        or not user.is_authenticated
        or not Membership.objects.filter(user=user, organisation_id=pack.organisation_id).exists()
    ):
        raise Http404("No such evidence pack.")
    return pack


# --- Approval --------------------------------------------------------------------------------

#: How a report's stage reads from its snapshot's assessment status. "approved" is never read from
#: the snapshot: only the report whose snapshot the live sign-off names is approved.
SNAPSHOT_STAGES = {
    AssessmentStatus.IN_PROGRESS: "draft",
    AssessmentStatus.SUBMITTED: "submitted",
    AssessmentStatus.RETURNED: "returned",
    AssessmentStatus.APPROVED: "submitted",
}


def _live_signoffs():
    """Sign-offs that hold: not voided, of an assessment approved now, and the newest of their
    assessment (an approval replaces any earlier one, even one a reopen failed to void)."""
    newer = SignOff.objects.filter(
        report__assessment_id=OuterRef("report__assessment_id"), pk__gt=OuterRef("pk")
    )
    return SignOff.objects.filter(
        voided_at__isnull=True, report__assessment__status=AssessmentStatus.APPROVED
    ).exclude(Exists(newer))


def report_approval_annotate(reports: QuerySet[Report]) -> QuerySet[Report]:
    """Each report with ``approved``: True only when a live sign-off names its snapshot.

    A live sign-off is one not voided, of an assessment that is approved now. Reports asked for
    later (newer snapshots) are not approved, even if nothing changed.
    """
    return reports.annotate(
        approved=Exists(
            _live_signoffs().filter(
                report__assessment_id=OuterRef("assessment_id"),
                snapshot_sha256=OuterRef("snapshot_sha256"),
            )
        )
    )


def signoff_live_get(*, assessment: Assessment, include_reopened: bool = False) -> SignOff | None:
    """The assessment's sign-off that holds now (the newest not voided), or None.

    ``include_reopened``: also while the assessment is no longer approved (used to void it).
    """
    signoff = (
        SignOff.objects.filter(report__assessment=assessment)
        .select_related("report", "approved_by")
        .order_by("-id")
        .first()
    )
    if signoff is None or signoff.voided_at is not None:
        return None
    if not include_reopened and assessment.status != AssessmentStatus.APPROVED:
        return None
    return signoff


def report_stage_get(*, report: Report, approved: bool | None = None) -> str:
    """draft / submitted / returned / approved: the review stage the report stands for.

    ``approved``: whether a live sign-off names the report, when the caller already looked it up
    (``report_meta`` does, for the sign-off block), so that it is not queried twice.
    """
    if approved is None:
        approved = report_signoff_get(report=report) is not None
    if approved:
        return "approved"
    status = (report.snapshot or {}).get("assessment", {}).get("status")
    return SNAPSHOT_STAGES.get(status, "draft")


def report_signoff_get(*, report: Report) -> SignOff | None:
    """The live sign-off that names this report's snapshot, if any."""
    return (
        _live_signoffs()
        .filter(report__assessment_id=report.assessment_id, snapshot_sha256=report.snapshot_sha256)
        .select_related("approved_by")
        .order_by("-approved_at", "-id")
        .first()
    )


def report_approval_meta(*, report: Report) -> dict[str, str] | None:
    """The sign-off block of an approved report, as strings, or None when it is not approved.

    Example: ``{"statement": "I reviewed…", "approved_by": "Aiko Sato", "approved_by_role":
    "Auditor", "approved_at": "2026-05-12 10:20 JST", "prepared_by": "officer", "submitted_at":
    "2026-05-11 17:02 JST", "reviewed_by": "Aiko Sato"}``.
    """
    signoff = report_signoff_get(report=report)
    if signoff is None:
        return None
    assessment = Assessment.objects.select_related("submitted_by").get(pk=report.assessment_id)

    def when(value) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z") if value else ""

    def name(user) -> str:
        return (user.get_full_name() or user.get_username()) if user else ""

    reviewers = {
        name(r.updated_by)
        for r in QuestionReview.objects.filter(assessment=assessment).select_related("updated_by")
        if r.updated_by
    }
    submitted_at = (report.snapshot or {}).get("assessment", {}).get("submitted_at")
    return {
        "statement": signoff.statement,
        "approved_by": signoff.approver_name,
        "approved_by_role": signoff.approver_role,
        "approved_at": when(signoff.approved_at),
        "prepared_by": name(assessment.submitted_by),
        "submitted_at": when(dt.datetime.fromisoformat(submitted_at)) if submitted_at else "",
        "reviewed_by": ", ".join(sorted(reviewers)) or signoff.approver_name,
    }


# --- Changes since the previous approved assessment (issue 11) -------------------------------


def signoff_baseline_get(*, assessment: Assessment) -> SignOff | None:
    """The live sign-off of the organisation's most recent approved assessment before this one.

    "Before" is by creation of the assessment; among those, the most recently approved wins.
    Only a sign-off that holds counts (not voided, its assessment approved now), so an assessment
    in progress, submitted or reopened is never a baseline, nor is another organisation's.
    Example: FY2025 (approved) and FY2026 (this one) → FY2025's sign-off; FY2024 reopened → skipped.
    """
    created_before = Q(report__assessment__created_at__lt=assessment.created_at) | Q(
        report__assessment__created_at=assessment.created_at,
        report__assessment_id__lt=assessment.pk,
    )
    return (
        _live_signoffs()
        .filter(created_before, report__assessment__organisation_id=assessment.organisation_id)
        .exclude(report__assessment_id=assessment.pk)
        .select_related("report", "report__assessment")
        .order_by("-approved_at", "-id")
        .first()
    )


def changes_since_previous_get(*, assessment: Assessment, snapshot: ReportSnapshot):
    """What changed since the organisation's previous approved assessment, or None if there is
    none: its approved snapshot (the one the sign-off names) compared with ``snapshot``.

    Example: ``changes_since_previous_get(assessment=fy2026, snapshot=s).gaps_closed[0].ref``
    is ``"Art. 26"`` when FY2025's approved report had a gap there and FY2026 has none.
    """
    from reports.changes import changes_since_previous_build

    signoff = signoff_baseline_get(assessment=assessment)
    if signoff is None:
        return None
    baseline = snapshot_load(signoff.report.snapshot)
    return changes_since_previous_build(
        baseline=baseline,
        current=snapshot,
        assessment_id=signoff.report.assessment_id,
        assessment_name=signoff.report.assessment.name,
        report_id=signoff.report_id,
        approved_at=signoff.approved_at.isoformat(),
        snapshot_sha256=signoff.snapshot_sha256,
    )
