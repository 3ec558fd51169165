from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models.assessments import Assessment
from frameworks.models import Question

__all__ = ["OPEN_REVIEW_STATUSES", "QuestionReview", "ReviewComment", "ReviewStatus"]


class ReviewStatus(models.TextChoices):
    """An auditor's verdict on one answer. A question without a review row is "not reviewed"."""

    ACCEPTED = "accepted", _("Accepted")
    QUERY = "query", _("Query")
    REJECTED = "rejected", _("Rejected")


#: Verdicts that block approval until the auditor resolves them (by accepting the answer).
OPEN_REVIEW_STATUSES = frozenset({ReviewStatus.QUERY, ReviewStatus.REJECTED})


class QuestionReview(models.Model):
    """The auditor's current verdict on the answer to one question of one assessment.

    Example: on *FY2026 review*, APPI Art. 26 "Do you have a breach-report procedure?" is
    ``query`` ("Which document is the procedure?"), set by ``auditor`` at 10:14. The officer
    replies in the thread or changes the answer; the auditor resolves it by accepting. One
    row per question; every change of verdict is in the audit log.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("review status"), max_length=16, choices=ReviewStatus.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "question__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"],
                name="%(app_label)s_%(class)s_unique_question",
                violation_error_message="This question already has a review.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.question_id} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REVIEW_STATUSES


class ReviewComment(models.Model):
    """One message in the review thread of one question: an auditor's query, an officer's reply,
    or the auditor's note that resolves the thread (``resolves``).

    Example: auditor "Which document is the procedure?"; officer "Incident policy v3, attached";
    auditor "Thank you" with ``resolves=True``. Comments are never edited or deleted.
    """

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="review_comments"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A copy, so the thread still reads right after the user is renamed or removed.
    author_name = models.CharField(max_length=150, blank=True)
    text = models.TextField(_("comment"), max_length=10_000)
    #: This comment closed the thread (the auditor accepted the answer with it).
    resolves = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["assessment", "question"], name="assessments_rcomment_q_idx")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.question_id} {self.author_name}"
