from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models.assessments import Assessment
from frameworks.models import Question, Section

__all__ = ["Assignment"]


class Assignment(models.Model):
    """Who answers a section or a single question of one assessment, and by when.

    Example: the legal team's ``legal@acme.example`` is assigned the APPI chapter
    "Obligations of handlers" of *FY2026 review*, due 2026-12-01; an engineer is assigned the
    single METI question on model cards. A section covers its subsections. A contributor sees
    and answers only what is assigned to them.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(section__isnull=False, question__isnull=True)
                    | models.Q(section__isnull=True, question__isnull=False)
                ),
                name="%(app_label)s_%(class)s_section_xor_question",
                violation_error_message="Assign either a section or a question.",
            ),
        ]

    def __str__(self) -> str:
        target = f"section {self.section_id}" if self.section_id else f"question {self.question_id}"
        return f"{self.assessment_id}: {target} → {self.assignee_id}"

    def clean(self):
        if (self.section_id is None) == (self.question_id is None):
            raise ValidationError(_("Assign either a section or a question."))
