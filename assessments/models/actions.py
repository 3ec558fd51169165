from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models.assessments import Assessment
from frameworks.models import Provision, Question
from portal.models import Organisation

__all__ = ["Action", "ActionEvidence", "ActionStatus"]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    RISK_ACCEPTED = "risk_accepted", _("Risk accepted")


#: Statuses in which an action still needs work (and can be overdue).
ACTION_OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Action(models.Model):
    """A remediation action that closes a gap: who does what by when, and the proof it is done.

    Example: "Approve the breach-report procedure", owner ``legal@acme.example``, due
    2026-12-01, linked to APPI Art. 26 and its question, status ``in_progress``; closed as
    ``done`` with the signed procedure attached. ``risk_accepted`` instead needs a written
    justification and the person who approved it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="actions")
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    risk_justification = models.TextField(_("justification"), blank=True)
    risk_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provisions = models.ManyToManyField(Provision, blank=True, related_name="+")
    questions = models.ManyToManyField(Question, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="risk_accepted")
                | (~models.Q(risk_justification="") & models.Q(risk_approver__isnull=False)),
                name="%(app_label)s_%(class)s_risk_accepted_justified",
                violation_error_message="Accepting a risk needs a justification and an approver.",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActionEvidence(models.Model):
    """A file proving an action is done; stored like answer evidence (assessments.evidence_files)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")
    original_name = models.CharField(max_length=255)
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
