"""Errors and helpers shared by the assessment services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from assessments.models import (
    Answer,
    Assessment,
    AssessmentStatus,
)
from assessments.scoping import ScopingProfile
from portal.models import AuditEventType, User
from portal.services import audit_record


class AssessmentLockedError(ValidationError):
    """The assessment is submitted; reopen it first."""

    http_status = 409


class AssessmentStateError(ValidationError):
    """The assessment is not in a state that allows this step (approving a draft, returning an
    approved assessment, approving with open queries): nothing was written."""

    http_status = 409


class AnswerConflictError(Exception):
    """Someone saved this answer after the revision the caller saw: nothing was written."""

    http_status = 409

    def __init__(self, current: Answer | None):
        # ``current`` is None when the caller sent a revision for a question nobody answered yet.
        self.current = current
        self.current_revision = current.revision if current is not None else 0
        super().__init__(f"answer changed to revision {self.current_revision}")


class AssessmentStaleError(ValidationError):
    """The caller saw an older revision of the assessment: nothing was written."""

    http_status = 409


class AssessmentIncompleteError(ValidationError):
    def __init__(self, missing):
        self.missing = missing
        super().__init__(_("%(n)d required questions are not answered yet.") % {"n": len(missing)})


def _audit(
    *,
    actor: User,
    event: AuditEventType,
    assessment: Assessment,
    obj=None,
    before=None,
    after=None,
    subject: str = "",
) -> None:
    audit_record(
        actor=actor,
        event_type=event,
        obj=obj if obj is not None else assessment,
        before=before,
        after=after,
        organisation=assessment.organisation,
        context=assessment,
        subject=subject,
    )


def _scoping_check(scoping: ScopingProfile) -> None:
    """A scope names at least one role: applicability is decided by the roles."""
    if not scoping.roles:
        raise ValidationError({"roles": _("Choose at least one role.")})


def _refuse_if_locked(assessment: Assessment) -> None:
    if assessment.status == AssessmentStatus.APPROVED:
        raise AssessmentLockedError(
            _("This assessment is approved and locked. Reopen it, with a reason, to make changes.")
        )
    if assessment.is_locked:
        raise AssessmentLockedError(
            _("This assessment is submitted and locked. Reopen it to make changes.")
        )
