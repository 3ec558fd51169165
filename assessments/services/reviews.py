"""Auditor review: return, approval, per-question review and its comment threads."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessments.models import (
    Assessment,
    AssessmentStatus,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
)
from assessments.selectors import (
    REVIEW_OPEN_STATES,
    access_assessment,
)
from frameworks.models import Question
from portal.models import AuditEventType, NotificationKind, User

from ._shared import AssessmentStateError, _audit
from .actions import _tell
from .creation import _bump
from .lifecycle import _locked_assessment, _reason_clean, _refuse_unless_status

# --- Reviews ---------------------------------------------------------------------------------


class ReviewOpenError(AssessmentStateError):
    """Approval refused: some answers still have an open query or a rejection."""

    def __init__(self, open_reviews: list[QuestionReview]):
        self.open_reviews = open_reviews
        super().__init__(
            {
                "reviews": _("%(n)d answers still have an open query or a rejection.")
                % {"n": len(open_reviews)}
            }
        )


def _reviewer_check(actor: User, assessment: Assessment) -> None:
    """Auditors of the organisation review; anyone else is refused (403, or 404 for outsiders)."""
    access_assessment(user=actor, pk=assessment.pk, review=True)


def _text_clean(text: str, *, field: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Write a comment.")})
    if len(text) > 10_000:
        raise ValidationError({field: _("Keep comments under 10,000 characters.")})
    return text


def _comment_add(
    *, actor: User, assessment: Assessment, question: Question, text: str, resolves: bool = False
) -> ReviewComment:
    comment = ReviewComment(
        assessment=assessment,
        question=question,
        author=actor,
        author_name=actor.get_username(),
        text=text,
        resolves=resolves,
    )
    comment.full_clean(exclude=["assessment", "question", "author"])
    comment.save()
    return comment


@transaction.atomic
def assessment_return(
    *, actor: User, assessment: Assessment, reason: str, expected_revision: int | None = None
) -> Assessment:
    """An auditor sends a submitted assessment back to the officer, with a reason (usually: the
    open queries). The officer may then change answers and submit again."""
    _reviewer_check(actor, assessment)
    assessment = _locked_assessment(assessment)
    _refuse_unless_status(
        assessment,
        {AssessmentStatus.SUBMITTED},
        _("Only an assessment in review can be returned."),
    )
    reason = _reason_clean(reason, required=True)
    _bump(assessment, expected_revision)
    assessment.status = AssessmentStatus.RETURNED
    assessment.save()
    open_queries = QuestionReview.objects.filter(
        assessment=assessment, status__in=[ReviewStatus.QUERY, ReviewStatus.REJECTED]
    ).count()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_RETURNED,
        assessment=assessment,
        before={"status": AssessmentStatus.SUBMITTED},
        after={"status": assessment.status, "reason": reason, "open_queries": open_queries},
    )
    _tell(
        assessment.submitted_by,
        actor,
        kind=NotificationKind.ASSESSMENT_RETURNED,
        title=gettext_noop("Returned with queries: %(assessment)s"),
        params={"assessment": assessment.name},
        url=reverse("assessments:detail", args=[assessment.pk]),
        obj=assessment,
        organisation=assessment.organisation,
    )
    return assessment


@transaction.atomic
def assessment_approved_set(
    *,
    actor: User,
    assessment: Assessment,
    statement: str,
    expected_revision: int | None = None,
) -> Assessment:
    """Mark a submitted assessment approved, checking the four-eyes rule.

    The approver must be an auditor of the organisation (403 otherwise) and not the person who
    submitted it (403); the assessment must be in review (409) with no open query or rejection
    (409). The sign-off that names the approved report snapshot is recorded by
    :func:`reports.services.assessment_approve`, which calls this in its transaction.
    """
    _reviewer_check(actor, assessment)
    assessment = _locked_assessment(assessment)
    if assessment.submitted_by_id == actor.pk:
        raise PermissionDenied(_("The person who submitted an assessment cannot approve it."))
    _refuse_unless_status(
        assessment,
        {AssessmentStatus.SUBMITTED},
        _("Only an assessment in review can be approved."),
    )
    open_reviews = list(
        QuestionReview.objects.filter(
            assessment=assessment, status__in=[ReviewStatus.QUERY, ReviewStatus.REJECTED]
        )
    )
    if open_reviews:
        raise ReviewOpenError(open_reviews)
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("Write the approval statement.")})
    if len(statement) > 2000:
        raise ValidationError({"statement": _("Keep the statement under 2,000 characters.")})
    _bump(assessment, expected_revision)
    assessment.status = AssessmentStatus.APPROVED
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_APPROVED,
        assessment=assessment,
        before={"status": AssessmentStatus.SUBMITTED},
        after={"status": assessment.status, "statement": statement},
    )
    _tell(
        assessment.submitted_by,
        actor,
        kind=NotificationKind.ASSESSMENT_APPROVED,
        title=gettext_noop("Approved: %(assessment)s"),
        params={"assessment": assessment.name},
        url=reverse("assessments:detail", args=[assessment.pk]),
        obj=assessment,
        organisation=assessment.organisation,
    )
    return assessment


@transaction.atomic
def question_review_set(
    *,
    actor: User,
    assessment: Assessment,
    question: Question,
    status: str,
    comment: str = "",
) -> QuestionReview:
    """An auditor's verdict on one answer: accepted, query or rejected.

    A query or a rejection needs a comment, which opens (or continues) the question's thread;
    accepting an open query resolves it. Only while the assessment is in review or returned.
    """
    _reviewer_check(actor, assessment)
    assessment = _locked_assessment(assessment)
    _refuse_unless_status(
        assessment,
        REVIEW_OPEN_STATES,
        _("Answers are reviewed only while the assessment is in review."),
    )
    if status not in ReviewStatus.values:
        raise ValidationError({"status": _("Choose accepted, query or rejected.")})
    text = _text_clean(comment, field="comment", required=status != ReviewStatus.ACCEPTED)
    review = (
        QuestionReview.objects.select_for_update()
        .filter(assessment=assessment, question=question)
        .first()
    )
    before = review.status if review else None
    if review is None:
        review = QuestionReview(assessment=assessment, question=question)
    if before == status and not text:
        return review  # nothing changed: no audit row
    resolves = before in (ReviewStatus.QUERY, ReviewStatus.REJECTED) and status == (
        ReviewStatus.ACCEPTED
    )
    review.status = status
    review.updated_by = actor
    review.full_clean(exclude=["assessment", "question", "updated_by"], validate_unique=False)
    review.save()
    if text:
        _comment_add(
            actor=actor, assessment=assessment, question=question, text=text, resolves=resolves
        )
    _audit(
        actor=actor,
        event=AuditEventType.REVIEW_RESOLVED if resolves else AuditEventType.REVIEW_STATUS_SET,
        assessment=assessment,
        obj=review,
        before={"status": before},
        after={"status": status, "comment": text},
        subject=question.urn,
    )
    if review.status != ReviewStatus.ACCEPTED:
        _tell(
            assessment.submitted_by,
            actor,
            kind=NotificationKind.AUDITOR_QUERY,
            title=gettext_noop("The auditor asks about an answer in %(assessment)s"),
            params={"assessment": assessment.name},
            url=reverse("assessments:detail", args=[assessment.pk]),
            obj=review,
            organisation=assessment.organisation,
        )
    return review


@transaction.atomic
def review_resolve(
    *, actor: User, assessment: Assessment, question: Question, comment: str = ""
) -> QuestionReview:
    """The auditor closes an open query or rejection by accepting the (replied or changed) answer."""
    review = QuestionReview.objects.filter(assessment=assessment, question=question).first()
    if review is None or not review.is_open:
        raise AssessmentStateError({"status": _("This question has no open query.")})
    return question_review_set(
        actor=actor,
        assessment=assessment,
        question=question,
        status=ReviewStatus.ACCEPTED,
        comment=comment or _("Resolved."),
    )


@transaction.atomic
def review_comment_add(
    *, actor: User, assessment: Assessment, question: Question, text: str
) -> ReviewComment:
    """A message in one question's review thread: an officer's reply or an auditor's follow-up.

    Members of the organisation only, while the assessment is in review or returned. Replying
    changes no answer; the officer changes the answer itself through :func:`answer_save`.
    """
    access_assessment(user=actor, pk=assessment.pk)
    assessment = _locked_assessment(assessment)
    _refuse_unless_status(
        assessment,
        REVIEW_OPEN_STATES,
        _("Review comments are open only while the assessment is in review or returned."),
    )
    text = _text_clean(text, field="text", required=True)
    comment = _comment_add(actor=actor, assessment=assessment, question=question, text=text)
    _audit(
        actor=actor,
        event=AuditEventType.REVIEW_COMMENT_ADDED,
        assessment=assessment,
        obj=comment,
        after={"text": text},
        subject=question.urn,
    )
    review = QuestionReview.objects.filter(assessment=assessment, question=question).first()
    if review is not None and review.updated_by_id:
        _tell(
            review.updated_by,
            actor,
            kind=NotificationKind.AUDITOR_REPLY,
            title=gettext_noop("A reply about an answer in %(assessment)s"),
            params={"assessment": assessment.name},
            url=reverse("assessments:detail", args=[assessment.pk]),
            obj=comment,
            organisation=assessment.organisation,
        )
    return comment
