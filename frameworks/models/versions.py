from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from frameworks.choices import Confidence, LegalStatus, VersionStatus
from frameworks.models.guards import FrozenContentError, VersionContentModel
from frameworks.models.text import normalise_fields

__all__ = ["Framework", "FrameworkVersion", "Source"]


# --- Framework -------------------------------------------------------------------------------


class Framework(models.Model):
    """The identity of a framework across all its versions.

    Example: ``urn:tekigo:fw:appi`` is the APPI; its versions hold the content.
    Only the URN lives here, so nothing that a version says can change under an
    assessment that pinned it.
    """

    urn = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["urn"]

    def __str__(self) -> str:
        return self.urn


# --- FrameworkVersion ------------------------------------------------------------------------


class FrameworkVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.exclude(status=VersionStatus.DRAFT).exists():
            raise FrozenContentError("cannot update a published framework version")
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status=VersionStatus.DRAFT).exists():
            raise FrozenContentError("cannot delete a published framework version")
        return super().delete()

    def bulk_update(self, objs, fields, batch_size=None):
        raise FrozenContentError("framework versions change only through their services")


#: Newest first: by effective date, an undated (reported) version counting as the newest record
#: of its framework, then by load order. Every "latest version" query uses this.
NEWEST_FIRST = (F("effective_date").desc(nulls_first=True), "-id")


class FrameworkVersion(models.Model):
    """One version of a framework, with its legal status and all its content.

    Example: *AI Guidelines for Business 1.2*, effective 2026-03-31, a
    ``government_guideline``. A ``draft`` can be edited; ``published`` freezes
    it and records the SHA-256 of its content; ``retired`` keeps it readable for
    the assessments pinned to it but offers it to no new one.
    """

    #: Fields that may still change once published: the move to retired.
    LIFECYCLE_FIELDS = frozenset({"status", "retired_at"})

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(_("version"), max_length=40)
    status = models.CharField(
        max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    #: When the version's text takes effect. Empty only for a reported, unverified claim, which has
    #: no effective date at all (a placeholder would read as one).
    effective_date = models.DateField(null=True, blank=True)
    legal_status = models.CharField(max_length=32, choices=LegalStatus.choices)
    name_ja = models.CharField(max_length=300)
    name_en = models.CharField(max_length=300)
    short_name_ja = models.CharField(max_length=100)
    short_name_en = models.CharField(max_length=100)
    description_ja = models.TextField()
    description_en = models.TextField()
    issuer_ja = models.CharField(max_length=200)
    issuer_en = models.CharField(max_length=200)
    notes_ja = models.TextField(blank=True)
    notes_en = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    cloned_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="clones"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    #: What changed and why, written when the version is published. Lifecycle metadata like
    #: ``published_at``: not part of the hashed content, not in the framework file.
    release_note_ja = models.TextField(_("release note (Japanese)"), blank=True)
    release_note_en = models.TextField(_("release note (English)"), blank=True)

    objects = FrameworkVersionQuerySet.as_manager()

    class Meta:
        ordering = ["framework__urn", F("effective_date").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "version"],
                name="%(app_label)s_%(class)s_unique_label",
                violation_error_message=_("This framework already has a version with this label."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | ~models.Q(content_hash=""),
                name="%(app_label)s_%(class)s_published_has_hash",
                violation_error_message=_("A published version needs a content hash."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.short_name_en} {self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def save(self, *args, **kwargs):
        if self.status == VersionStatus.DRAFT:
            # Only drafts: a published row keeps the exact text its content hash was taken from.
            normalise_fields(self)
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).first()
            if stored is not None and stored.status != VersionStatus.DRAFT:
                changed = {
                    f.attname
                    for f in self._meta.concrete_fields
                    if getattr(stored, f.attname) != getattr(self, f.attname)
                }
                allowed = changed <= self.LIFECYCLE_FIELDS and (
                    self.status == stored.status or self.status == VersionStatus.RETIRED
                )
                if not allowed:
                    raise FrozenContentError(
                        f"{stored} is {stored.status}; its {', '.join(sorted(changed))} cannot change"
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if type(self).objects.filter(pk=self.pk).exclude(status=VersionStatus.DRAFT).exists():
            raise FrozenContentError(f"{self} is published and cannot be deleted")
        return super().delete(*args, **kwargs)


# --- Source ----------------------------------------------------------------------------------


class Source(VersionContentModel):
    """A document a version's facts come from, with how far we verified it.

    Example: *e-Gov 法令検索, Act No. 53 of 2025*, ``verified_primary``.
    """

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="sources")
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True)
    date = models.DateField(null=True, blank=True)
    confidence = models.CharField(max_length=24, choices=Confidence.choices)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="%(app_label)s_%(class)s_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.title
