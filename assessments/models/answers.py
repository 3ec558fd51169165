from django.conf import settings
from django.db import models

from assessments.models.assessments import Assessment
from frameworks.models import Question

__all__ = ["Answer", "Evidence"]


class Answer(models.Model):
    """What the organisation says about one question, with its comment and evidence.

    Example: for APPI Art. 26 "Do you have a breach-report procedure?",
    ``value`` ``"partial"``, comment "Drafted, not yet approved", one PDF.
    ``value`` holds a choice key, a list of keys, text, a number or an ISO
    date depending on the question type; ``not_applicable`` with a written
    ``justification`` replaces it. ``revision`` grows with every save so that a
    save based on an older revision is refused instead of overwriting.
    Answers point at a question of the pinned version; after an upgrade the
    previous version's answers stay, read-only, as history.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.JSONField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)
    justification = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    #: Carried over from an older framework version whose question changed.
    needs_review = models.BooleanField(default=False)
    #: Copied from the previous assessment by a roll-forward and not yet saved by a person:
    #: shown with its value but not counted as answered until someone confirms it (issue 12).
    reconfirm_required = models.BooleanField(default=False)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "question"], name="%(app_label)s_%(class)s_unique_question"
            ),
            models.CheckConstraint(
                condition=models.Q(not_applicable=False) | ~models.Q(justification=""),
                name="%(app_label)s_%(class)s_na_justified",
                violation_error_message="Not applicable needs a justification.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.question_id}"

    @property
    def is_answered(self) -> bool:
        if self.not_applicable:
            return bool(self.justification.strip())
        return self.value not in (None, "", [])

    @property
    def is_confirmed_answer(self) -> bool:
        """Answered, and by a person in this assessment: what progress and submission count.

        Example: "yes" copied from last year's assessment is answered but not confirmed until
        someone saves it again (changed or not).
        """
        return self.is_answered and not self.reconfirm_required


class Evidence(models.Model):
    """A file that supports an answer, stored outside the web root under a random name.

    ``sha256`` lets an auditor check that the file is the one uploaded.
    """

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")
    original_name = models.CharField(max_length=255)
    # Not unique: an upgrade carries evidence rows over to the new answer, sharing the file.
    stored_name = models.CharField(max_length=100, db_index=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
