"""Submitting and reopening an assessment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import (
    Assessment,
    AssessmentStatus,
)
from assessments.selectors import (
    questionnaire_build,
)
from portal.models import AuditEventType, User

from ._shared import AssessmentIncompleteError, AssessmentStateError, _audit, _refuse_if_locked
from .creation import _bump

# --- Submit and reopen -----------------------------------------------------------------------


def _locked_assessment(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )


def _refuse_unless_status(assessment: Assessment, allowed: set[str], message: str) -> None:
    if assessment.status not in allowed:
        raise AssessmentStateError({"status": message})


@transaction.atomic
def assessment_submit(
    *, actor: User, assessment: Assessment, expected_revision: int | None = None
) -> Assessment:
    """Send a draft or a returned assessment for review, once every applicable required question
    is answered. Answers are locked until an auditor returns it or it is reopened."""
    assessment = _locked_assessment(assessment)
    _refuse_if_locked(assessment)
    _refuse_unless_status(
        assessment,
        {AssessmentStatus.IN_PROGRESS, AssessmentStatus.RETURNED},
        _("Only a draft or a returned assessment can be submitted."),
    )
    missing = questionnaire_build(assessment=assessment).missing()
    if missing:
        raise AssessmentIncompleteError(missing)
    before = assessment.status
    _bump(assessment, expected_revision)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = actor
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_SUBMITTED,
        assessment=assessment,
        before={"status": before},
        after={"status": assessment.status},
    )
    return assessment


def _reason_clean(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": _("Give a reason; it is recorded in the history.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason under 2,000 characters.")})
    return reason


@transaction.atomic
def assessment_reopen(
    *,
    actor: User,
    assessment: Assessment,
    reason: str = "",
    expected_revision: int | None = None,
    voids_approval: bool = False,
) -> Assessment:
    """Back to draft: a submitted assessment is withdrawn from review (a reason is optional); an
    approved one needs a reason, which is recorded, and its approval no longer holds.

    The approval record itself lives in ``reports`` (it names a report snapshot), so an approved
    assessment is reopened only through :func:`reports.services.assessment_reopen_approved`,
    which passes ``voids_approval=True`` and voids the sign-off in the same transaction.
    """
    assessment = _locked_assessment(assessment)
    allowed = {AssessmentStatus.SUBMITTED}
    if voids_approval:
        allowed.add(AssessmentStatus.APPROVED)
    _refuse_unless_status(
        assessment,
        allowed,
        _(
            "Only a submitted assessment can be reopened here; an approved one is reopened with a reason, which voids its approval."
        )
        if assessment.status == AssessmentStatus.APPROVED
        else _("Only a submitted or an approved assessment can be reopened."),
    )
    before = assessment.status
    reason = _reason_clean(reason, required=before == AssessmentStatus.APPROVED)
    _bump(assessment, expected_revision)
    assessment.status = AssessmentStatus.IN_PROGRESS
    assessment.submitted_at = None
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_REOPENED,
        assessment=assessment,
        before={"status": before},
        after={"status": assessment.status, "reason": reason},
    )
    return assessment
