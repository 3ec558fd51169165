import hashlib
import json
from datetime import UTC
from enum import unique

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["AuditChainHead", "AuditEvent", "AuditEventType", "AuditLogError"]


class AuditLogError(Exception):
    """Raised on any attempt to edit or delete an audit row: the log is append-only."""


@unique
class AuditEventType(models.TextChoices):
    """What happened. Values are stored; never rename one, add new ones instead.

    Each value carries its translated label, the one place the history page, the CSV export and
    the admin take event names from: ``AuditEventType("answer.saved").label`` is "Answer saved"
    (回答を保存).
    """

    FRAMEWORK_VERSION_LOADED = "framework_version.loaded", _("Framework version loaded")
    FRAMEWORK_VERSION_CLONED = "framework_version.cloned", _("Framework version cloned")
    FRAMEWORK_VERSION_PUBLISHED = "framework_version.published", _("Framework version published")
    FRAMEWORK_VERSION_RETIRED = "framework_version.retired", _("Framework version retired")
    FRAMEWORK_VERSION_DELETED = "framework_version.deleted", _("Framework version deleted")
    FRAMEWORK_VERSION_UPDATED = "framework_version.updated", _("Framework version updated")
    ASSESSMENT_CREATED = "assessment.created", _("Assessment created")
    ASSESSMENT_SCOPING_CHANGED = "assessment.scoping_changed", _("Scope changed")
    ASSESSMENT_SUBMITTED = "assessment.submitted", _("Submitted for review")
    ASSESSMENT_REOPENED = "assessment.reopened", _("Reopened")
    ASSESSMENT_UPGRADED = "assessment.upgraded", _("Framework version upgraded")
    ANSWER_SAVED = "answer.saved", _("Answer saved")
    EVIDENCE_UPLOADED = "evidence.uploaded", _("Evidence uploaded")
    EVIDENCE_DELETED = "evidence.deleted", _("Evidence removed")
    EVIDENCE_DOWNLOADED = "evidence.downloaded", _("Evidence downloaded")
    REPORT_REQUESTED = "report.requested", _("Report requested")
    REPORT_RENDERED = "report.rendered", _("Report rendered")
    REPORT_FAILED = "report.failed", _("Report failed")
    REPORT_DOWNLOADED = "report.downloaded", _("Report downloaded")
    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    FRAMEWORK_CONTENT_CREATED = "framework_content.created", _("Framework content created")
    FRAMEWORK_CONTENT_UPDATED = "framework_content.updated", _("Framework content updated")
    FRAMEWORK_CONTENT_DELETED = "framework_content.deleted", _("Framework content deleted")
    # --- Reviews ---
    ASSESSMENT_RETURNED = "assessment.returned", _("Returned with queries")
    ASSESSMENT_APPROVED = "assessment.approved", _("Approved")
    REVIEW_STATUS_SET = "review.status_set", _("Review status set")
    REVIEW_COMMENT_ADDED = "review.comment_added", _("Review comment")
    REVIEW_RESOLVED = "review.resolved", _("Query resolved")
    SIGNOFF_RECORDED = "signoff.recorded", _("Sign-off recorded")
    SIGNOFF_VOIDED = "signoff.voided", _("Sign-off voided")
    # --- Interoperability ---
    ANSWERS_IMPORTED = "answers.imported", _("Answers imported from a workbook")
    FRAMEWORK_VERSION_IMPORTED = (
        "framework_version.imported",
        _("Framework version imported (OSCAL)"),
    )
    EVIDENCE_PACK_REQUESTED = "evidence_pack.requested", _("Evidence pack requested")
    EVIDENCE_PACK_BUILT = "evidence_pack.built", _("Evidence pack built")
    EVIDENCE_PACK_FAILED = "evidence_pack.failed", _("Evidence pack failed")
    EVIDENCE_PACK_DOWNLOADED = "evidence_pack.downloaded", _("Evidence pack downloaded")
    # --- Accounts (issue 14) ---
    ACCOUNT_CREATED = "account.created", _("Account created")
    ACCOUNT_CHANGED = "account.changed", _("Account changed")
    ACCOUNT_PASSWORD_CHANGED = "account.password_changed", _("Password changed")
    ACCOUNT_DELETED = "account.deleted", _("Account deleted")
    MEMBERSHIP_CREATED = "membership.created", _("Member added")
    MEMBERSHIP_CHANGED = "membership.changed", _("Member's role changed")
    MEMBERSHIP_DELETED = "membership.deleted", _("Member removed")
    # --- Organisation settings ---
    ORGANISATION_UPDATED = "organisation.updated", _("Organisation settings changed")
    # --- Programme: people, assignments, actions ---
    INVITATION_CREATED = "invitation.created", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    INVITATION_REVOKED = "invitation.revoked", _("Invitation revoked")
    MEMBERSHIP_ROLE_CHANGED = "membership.role_changed", _("Role changed")
    MEMBERSHIP_REMOVED = "membership.removed", _("Member removed from the organisation")
    PASSWORD_RESET = "user.password_reset", _("Password reset")
    PASSWORD_CHANGED = "user.password_changed", _("Password changed by the user")
    NOTIFICATION_SETTINGS_CHANGED = (
        "notification_settings.changed",
        _("Notification settings changed"),
    )
    ASSESSMENT_PLAN_CHANGED = "assessment.plan_changed", _("Owner or due date changed")
    ASSIGNMENT_CREATED = "assignment.created", _("Assigned")
    ASSIGNMENT_DELETED = "assignment.deleted", _("Assignment removed")
    ACTION_CREATED = "action.created", _("Action created")
    ACTION_UPDATED = "action.updated", _("Action updated")
    ACTION_EVIDENCE_UPLOADED = "action.evidence_uploaded", _("Action evidence uploaded")
    # --- Roll-forward (issue 12) ---
    ASSESSMENT_ROLLED_FORWARD = (
        "assessment.rolled_forward",
        _("Started from a previous assessment"),
    )
    ANSWER_RECONFIRMED = "answer.reconfirmed", _("Answer re-confirmed")
    ACTION_CARRIED_OVER = "action.carried_over", _("Action carried over")


def audit_canonical(row) -> bytes:
    """:meth:`AuditEvent.canonical` for any object with the hashed fields (also the migration's
    historical rows)."""
    content = {}
    for name in AuditEvent.HASHED_FIELDS:
        value = getattr(row, name)
        if name == "occurred_at":
            value = value.astimezone(UTC).isoformat(timespec="microseconds")
        content[name] = value
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


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

    # Set before the row is hashed (not auto_now_add, which would overwrite it at insert).
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    # PROTECT: a user with audit rows is deactivated, never deleted (deleting would rewrite the
    # rows' actor and break the hash chain).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A copy, so the log still reads right after the user is renamed.
    actor_name = models.CharField(max_length=150, blank=True)
    # No ``choices``: adding an event type must not need a migration of portal. Values are checked
    # against AuditEventType when the row is written (portal.services.audit._event).
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
    # The hash chain: each row carries the previous row's hash and its own, computed over its
    # content and that previous hash. An edit or deletion made directly in the database breaks the
    # chain at that row; ``manage.py audit_verify`` finds it.
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)

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
        """The event type's label in the active language, e.g. "Answer saved" for ``answer.saved``."""
        try:
            return AuditEventType(self.event_type).label
        except ValueError:
            return self.event_type

    #: The fields a row's hash covers, in this order (the id is not one: it is known only after the
    #: insert; the chain itself fixes each row's place).
    HASHED_FIELDS = (
        "occurred_at",
        "actor_id",
        "actor_name",
        "event_type",
        "object_type",
        "object_id",
        "object_repr",
        "before",
        "after",
        "request_id",
        "organisation_id",
        "context_type",
        "context_id",
        "subject",
        "prev_hash",
    )

    def canonical(self) -> bytes:
        """The row's content as canonical JSON (sorted keys, UTC times), the input of its hash.

        Example: ``{"actor_id":3,"actor_name":"officer",...,"prev_hash":"9f2c…"}``. JSON values
        are sorted too, since PostgreSQL's jsonb does not keep key order.
        """
        return audit_canonical(self)

    def compute_hash(self) -> str:
        return hashlib.sha256(audit_canonical(self)).hexdigest()

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AuditLogError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogError("audit events cannot be deleted")


class AuditChainHead(models.Model):
    """The one row holding the hash of the newest audit row: the lock that orders the chain.

    Writers lock this row (``select_for_update``) before reading the last hash and release it at
    commit, so two concurrent writers can never both chain onto the same row (a fork).
    Example: ``AuditChainHead(pk=1, last_hash="9f2c…")``.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain head {self.last_hash[:12]}"
