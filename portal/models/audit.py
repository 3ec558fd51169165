from enum import unique

from django.conf import settings
from django.db import models

__all__ = ["AuditEvent", "AuditEventType", "AuditLogError"]


class AuditLogError(Exception):
    """Raised on any attempt to edit or delete an audit row: the log is append-only."""


@unique
class AuditEventType(models.TextChoices):
    """What happened. Values are stored; never rename one, add new ones instead."""

    FRAMEWORK_VERSION_LOADED = "framework_version.loaded"
    FRAMEWORK_VERSION_CLONED = "framework_version.cloned"
    FRAMEWORK_VERSION_PUBLISHED = "framework_version.published"
    FRAMEWORK_VERSION_RETIRED = "framework_version.retired"
    FRAMEWORK_VERSION_DELETED = "framework_version.deleted"
    FRAMEWORK_VERSION_UPDATED = "framework_version.updated"
    ASSESSMENT_CREATED = "assessment.created"
    ASSESSMENT_SCOPING_CHANGED = "assessment.scoping_changed"
    ASSESSMENT_SUBMITTED = "assessment.submitted"
    ASSESSMENT_REOPENED = "assessment.reopened"
    ASSESSMENT_UPGRADED = "assessment.upgraded"
    ANSWER_SAVED = "answer.saved"
    EVIDENCE_UPLOADED = "evidence.uploaded"
    EVIDENCE_DELETED = "evidence.deleted"
    EVIDENCE_DOWNLOADED = "evidence.downloaded"
    REPORT_REQUESTED = "report.requested"
    REPORT_RENDERED = "report.rendered"
    REPORT_FAILED = "report.failed"
    REPORT_DOWNLOADED = "report.downloaded"
    API_TOKEN_CREATED = "api_token.created"
    API_TOKEN_REVOKED = "api_token.revoked"
    FRAMEWORK_CONTENT_CREATED = "framework_content.created"
    FRAMEWORK_CONTENT_UPDATED = "framework_content.updated"
    FRAMEWORK_CONTENT_DELETED = "framework_content.deleted"
    # --- Programme: people, assignments, actions ---
    INVITATION_CREATED = "invitation.created"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_REVOKED = "invitation.revoked"
    MEMBERSHIP_ROLE_CHANGED = "membership.role_changed"
    MEMBERSHIP_REMOVED = "membership.removed"
    PASSWORD_RESET = "user.password_reset"
    PASSWORD_CHANGED = "user.password_changed"
    NOTIFICATION_SETTINGS_CHANGED = "notification_settings.changed"
    ASSESSMENT_PLAN_CHANGED = "assessment.plan_changed"
    ASSIGNMENT_CREATED = "assignment.created"
    ASSIGNMENT_DELETED = "assignment.deleted"
    ACTION_CREATED = "action.created"
    ACTION_UPDATED = "action.updated"
    ACTION_EVIDENCE_UPLOADED = "action.evidence_uploaded"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogError("audit events cannot be changed")

    def delete(self):
        raise AuditLogError("audit events cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogError("audit events cannot be changed")


class AuditEvent(models.Model):
    """One state change: who did what to which object, with the object before and after.

    Example: ``admin`` published ``AI Guidelines for Business 1.2`` at 10:02;
    ``before`` holds ``{"status": "draft"}``, ``after`` ``{"status": "published", "content_hash": "…"}``.
    Rows are only ever inserted: ``save()`` on an existing row, ``delete()``
    and queryset updates raise :class:`AuditLogError`.
    """

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A copy, so the log still reads right after the user is renamed or removed.
    actor_name = models.CharField(max_length=150, blank=True)
    # No ``choices``: adding an event type must not need a migration of portal. Values are checked
    # against AuditEventType when the row is written (portal.services._event).
    event_type = models.CharField(max_length=64)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # Where the change belongs, so history can be listed per organisation, assessment and question.
    organisation = models.ForeignKey(
        "portal.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    context_type = models.CharField(max_length=100, blank=True)
    context_id = models.CharField(max_length=64, blank=True)
    subject = models.CharField(
        max_length=200, blank=True, help_text="e.g. the question URN an answer belongs to"
    )

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="portal_audit_object_idx"),
            models.Index(fields=["context_type", "context_id"], name="portal_audit_context_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.event_type} {self.object_repr}"

    @property
    def event_label(self) -> str:
        """The event type's label, e.g. "Answer Saved" for ``answer.saved``."""
        try:
            return AuditEventType(self.event_type).label
        except ValueError:
            return self.event_type

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditLogError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogError("audit events cannot be deleted")
