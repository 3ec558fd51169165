from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from portal.models import Organisation

__all__ = ["Report", "ReportLanguage", "ReportStatus", "verification_code_new"]


def verification_code_new() -> str:
    """A fresh verification code: 24 base32 characters (120 random bits), e.g.
    ``K7QF3MZ2XWB4T6NRA5HJD2YC``. Printed on the cover; it opens the public verification page."""
    import base64
    import secrets

    return base64.b32encode(secrets.token_bytes(15)).decode()


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RENDERING = "rendering", _("Rendering")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ReportLanguage(models.TextChoices):
    JA = "ja", _("Japanese")
    EN = "en", _("English")


class Report(models.Model):
    """One issued gap report: a frozen snapshot of the analysis, and its PDF once rendered.

    Example: report 12 of *FY2026 review*, Japanese, snapshot SHA-256 ``3f…``,
    ``ready`` with a 14-page PDF whose SHA-256 an auditor can verify later.
    The snapshot is taken when the report is asked for, so later answers never
    change an issued report; asking again makes a new report.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reports")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="reports")
    language = models.CharField(max_length=2, choices=ReportLanguage.choices)
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    snapshot = models.JSONField()
    snapshot_sha256 = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    #: When the render task was last handed to the broker; empty while the broker was unreachable.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_error = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    #: The worker that claimed the render, so a restarted worker can take over its dead predecessor's reports.
    worker = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    pdf_name = models.CharField(max_length=100, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdf_size = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    #: Unguessable: anyone holding the PDF may check it on the public page with this code.
    verification_code = models.CharField(
        max_length=32, unique=True, default=verification_code_new, editable=False
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "started_at"], name="reports_report_status_idx")]

    def __str__(self) -> str:
        return f"Report {self.pk} ({self.language}) of {self.assessment_id}"

    @property
    def is_pending(self) -> bool:
        return self.status in (ReportStatus.QUEUED, ReportStatus.RENDERING)
