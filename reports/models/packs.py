from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from portal.models import Organisation

__all__ = ["EvidencePack", "EvidencePackStatus"]


class EvidencePackStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class EvidencePack(models.Model):
    """A ZIP of every evidence file of an assessment, with an index an auditor can read.

    Example: pack 4 of *FY2026 review*, 37 files, ``index.csv`` and ``index.html`` listing each
    file's question, name, size, SHA-256 and who uploaded it when; built by a worker, which
    records its progress (``files_done`` of ``files_total``) so the page can show it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="evidence_packs"
    )
    status = models.CharField(
        max_length=16, choices=EvidencePackStatus.choices, default=EvidencePackStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Evidence pack {self.pk} of {self.assessment_id}"

    @property
    def is_pending(self) -> bool:
        return self.status in (EvidencePackStatus.QUEUED, EvidencePackStatus.BUILDING)

    @property
    def percent(self) -> int:
        return 100 if not self.files_total else round(100 * self.files_done / self.files_total)
