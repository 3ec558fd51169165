"""Auditor reviews, comment threads and review progress."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from assessments.models import (
    OPEN_REVIEW_STATUSES,
    Assessment,
    QuestionReview,
    ReviewComment,
)
from frameworks.models import Question

from .questionnaire import Questionnaire

# --- Reviews ---------------------------------------------------------------------------------


def question_review_list(
    *, assessment: Assessment, open_only: bool = False
) -> QuerySet[QuestionReview]:
    """The auditor's verdicts on the assessment's answers; ``open_only``: queries and rejections."""
    reviews = QuestionReview.objects.filter(assessment=assessment).select_related(
        "question__provision", "updated_by"
    )
    if open_only:
        reviews = reviews.filter(status__in=OPEN_REVIEW_STATUSES)
    return reviews.order_by("question__version_id", "question__order", "id")


def review_comment_list(
    *, assessment: Assessment, question: Question | None = None
) -> QuerySet[ReviewComment]:
    comments = ReviewComment.objects.filter(assessment=assessment).select_related("question")
    if question is not None:
        comments = comments.filter(question=question)
    return comments.order_by("created_at", "id")


def review_attach(*, questionnaire: Questionnaire) -> None:
    """Put each question's verdict and thread on its block (two queries whatever the size)."""
    assessment = questionnaire.assessment
    for review in QuestionReview.objects.filter(assessment=assessment):
        block = questionnaire.questions.get(review.question_id)
        if block is not None:
            block.review = review
    for comment in ReviewComment.objects.filter(assessment=assessment).order_by("created_at", "id"):
        block = questionnaire.questions.get(comment.question_id)
        if block is not None:
            block.comments.append(comment)


@dataclass
class ReviewProgress:
    """How far the auditor got, over the questions that count (applicable and shown).

    Example: 30 counted questions, 24 accepted, 2 queries, 1 rejected: 3 not reviewed, 3 open.
    """

    accepted: int = 0
    query: int = 0
    rejected: int = 0
    not_reviewed: int = 0

    @property
    def open(self) -> int:
        return self.query + self.rejected

    @property
    def total(self) -> int:
        return self.accepted + self.query + self.rejected + self.not_reviewed


def review_progress_get(*, questionnaire: Questionnaire) -> ReviewProgress:
    """Counts of verdicts; call :func:`review_attach` on the questionnaire first."""
    progress = ReviewProgress()
    for block in questionnaire.questions.values():
        if not block.counts:
            continue
        if block.review is None:
            progress.not_reviewed += 1
        else:
            setattr(progress, block.review.status, getattr(progress, block.review.status) + 1)
    return progress
