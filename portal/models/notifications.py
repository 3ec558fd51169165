from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Notification", "NotificationKind", "NotificationSettings"]


class NotificationKind(models.TextChoices):
    """Why someone is told something. Values are stored; add new ones, never rename."""

    ASSIGNMENT = "assignment", _("Assigned to you")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    AUDITOR_QUERY = "auditor_query", _("Auditor query")
    AUDITOR_REPLY = "auditor_reply", _("Reply to a query")
    ASSESSMENT_RETURNED = "assessment_returned", _("Assessment returned")
    ASSESSMENT_APPROVED = "assessment_approved", _("Assessment approved")
    REPORT_READY = "report_ready", _("Report ready")
    FRAMEWORK_VERSION_PUBLISHED = "framework_version_published", _("New framework version")
    ACTION = "action", _("Remediation action")


class Notification(models.Model):
    """One message to one person, shown in the app and (if they want it) sent by e-mail.

    Example: "Section 'Chapter 2' of FY2026 review is due on 2026-12-01", kind ``due_soon``,
    for ``legal@acme.example``, written in Japanese because that person reads Japanese.
    ``key`` makes a message unique per (recipient, kind, object, day): sending it again is a no-op.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    organisation = models.ForeignKey(
        "portal.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="portal_notif_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.title}"


class NotificationSettings(models.Model):
    """A person's choices: which kinds reach them in the app and by e-mail, and their language.

    Example: ``language`` ``"en"``, ``muted_kinds`` ``["due_soon"]``, ``email`` True: no due-soon
    reminders at all, everything else in English, in the app and by e-mail. No row means Japanese,
    every kind, with e-mail.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="ja")
    muted_kinds = models.JSONField(default=list, blank=True)
    email = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.user_id} ({self.language})"
