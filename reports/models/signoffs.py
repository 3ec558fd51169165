from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from reports.models.reports import Report

__all__ = ["SignOff"]


class SignOff(models.Model):
    """An auditor's approval of an assessment, bound to the report snapshot it approves.

    Example: ``auditor`` (Auditor) approved *FY2026 review* on 2026-05-12 with the statement
    "I reviewed the answers and evidence and approve this self-assessment", signing report 41
    whose snapshot SHA-256 is ``3f…``. Only that snapshot is shown as approved: a newer report of
    the same assessment is not. Reopening the assessment voids the sign-off (``voided_at`` and
    the reason); the row stays, as the audit log does.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="signoffs")
    #: A copy of the report's snapshot hash: what exactly was approved.
    snapshot_sha256 = models.CharField(max_length=64)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copies, so the sign-off still reads right after the user is renamed or leaves.
    approver_name = models.CharField(max_length=150)
    approver_role = models.CharField(max_length=100)
    statement = models.TextField(_("statement"), max_length=2000)
    approved_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-approved_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | ~models.Q(void_reason=""),
                name="%(app_label)s_%(class)s_void_has_reason",
                violation_error_message="A voided sign-off needs a reason.",
            ),
        ]

    def __str__(self) -> str:
        return f"Sign-off of report {self.report_id} by {self.approver_name}"

    @property
    def is_live(self) -> bool:
        return self.voided_at is None
