from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from frameworks.models import Framework, FrameworkVersion
from portal.models import Organisation

__all__ = ["Assessment", "AssessmentFramework", "AssessmentStatus"]


class AssessmentStatus(models.TextChoices):
    """Where an assessment is in its review.

    draft (stored as ``in_progress``, its value before reviews existed) → submitted (in review)
    → returned (the auditor has open queries; the officer changes answers and resubmits)
    → approved (an auditor other than the submitter signed off a report snapshot).
    """

    IN_PROGRESS = "in_progress", _("Draft")
    SUBMITTED = "submitted", _("In review")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


#: Answers cannot change in these states: the auditor is reviewing, or has approved, exactly these.
LOCKED_STATUSES = frozenset({AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED})


class Assessment(models.Model):
    """One self-assessment of an organisation against pinned framework versions.

    Example: *FY2026 AI governance review* of Sample AI K.K., pinned to the AI
    Promotion Act 20250901, the AI Guidelines 1.2, the APPI 20220401 and the
    reported tier thresholds 2026.1, scoped as an AI provider that handles
    personal information. Submitting locks it for review; an auditor returns it with
    queries or approves it; reopening an approved assessment needs a reason.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assessments"
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS
    )
    #: A :class:`assessments.scoping.ScopingProfile` as JSON.
    scoping = models.JSONField(default=dict)
    #: Bumped on every change of scoping or status: stale forms are refused.
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    #: Who submitted it last: that person may not approve it (four eyes).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Who answers for the assessment as a whole, and by when (see assessments.models.assignments).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    #: The assessment this one was rolled forward from (answers copied to re-confirm, evidence
    #: linked, open actions moved): see assessments.services.rollforward.
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_locked(self) -> bool:
        return self.status in LOCKED_STATUSES


class AssessmentFramework(models.Model):
    """The framework version one assessment is pinned to; PROTECT keeps that version forever."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="pins")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="assessment_pins"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "framework"], name="%(app_label)s_%(class)s_unique_framework"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} → {self.version}"
