"""Notifications: in the app and by e-mail, in the recipient's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.models import (
    AuditEventType,
    Notification,
    NotificationKind,
    NotificationSettings,
    Organisation,
    User,
)

from .audit import audit_record

# --- Notifications ---------------------------------------------------------------------------


#: Text that differs by language: ``{"ja": "第2章", "en": "Chapter 2"}``.
Bilingual = dict[str, str]


def _in_language(value: Any, language: str) -> Any:
    if isinstance(value, dict) and ("ja" in value or "en" in value):
        return value.get(language) or value.get("ja") or value.get("en") or ""
    return value


def notify(
    *,
    recipient: User,
    kind: NotificationKind | str,
    title: str,
    body: str = "",
    params: dict[str, Any] | None = None,
    url: str = "",
    obj: models.Model | None = None,
    organisation: Organisation | None = None,
    day: dt.date | None = None,
) -> Notification | None:
    """Tell ``recipient`` something, in the app and by e-mail, in the recipient's language.

    ``title`` and ``body`` are untranslated message ids (mark them with ``gettext_noop``) with
    ``%(name)s`` placeholders filled from ``params``; a ``{"ja": …, "en": …}`` param is taken in
    the recipient's language. At most one notification per (recipient, kind, object, day):
    calling again the same day returns None and sends nothing. Also None when the recipient
    muted ``kind``. Example::

        notify(recipient=officer, kind=NotificationKind.REPORT_READY,
               title=gettext_noop("The report of %(assessment)s is ready"),
               params={"assessment": assessment.name}, url=f"/reports/{report.pk}/", obj=report)

    Other features call it with their own kind: auditor_query, auditor_reply,
    assessment_returned, assessment_approved, report_ready, framework_version_published.
    """
    kind = NotificationKind(kind)
    prefs = NotificationSettings.objects.filter(user=recipient).first()
    if prefs is not None and kind.value in (prefs.muted_kinds or []):
        return None
    language = prefs.language if prefs is not None else settings.LANGUAGE_CODE
    day = day or timezone.localdate()
    target = f"{obj._meta.label_lower}:{obj.pk}" if obj is not None else "-"
    key = f"{recipient.pk}:{kind.value}:{target}:{day.isoformat()}"[:200]
    values = {name: _in_language(value, language) for name, value in (params or {}).items()}
    with translation.override(language):
        text_title = (_(title) % values) if values else _(title)
        text_body = ((_(body) % values) if values else _(body)) if body else ""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind.value,
                organisation=organisation,
                title=text_title[:300],
                body=text_body,
                url=url,
                key=key,
            )
    except IntegrityError:
        return None  # already told today: re-running a task never sends twice
    if recipient.email and (prefs is None or prefs.email):
        pk = notification.pk
        transaction.on_commit(lambda: notification_email_send(notification_id=pk))
    return notification


def notification_email_send(*, notification_id: int) -> None:
    """E-mail one notification (once: ``emailed_at`` records it)."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{settings.PUBLIC_BASE_URL}{notification.url}".strip()
    send_mail(
        f"[Tekigo] {notification.title}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [notification.recipient.email],
        fail_silently=False,
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())


def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when ``notification_ids`` is None)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())


@transaction.atomic
def notification_settings_update(
    *, user: User, language: str, muted_kinds: list[str], email: bool
) -> NotificationSettings:
    prefs, _created = NotificationSettings.objects.get_or_create(user=user)
    before = {"language": prefs.language, "muted_kinds": prefs.muted_kinds, "email": prefs.email}
    unknown = [k for k in muted_kinds if k not in NotificationKind.values]
    if unknown:
        raise ValidationError({"muted_kinds": _("Unknown kind: %(k)s") % {"k": unknown[0]}})
    prefs.language = language
    prefs.muted_kinds = sorted(set(muted_kinds))
    prefs.email = email
    prefs.full_clean()
    prefs.save()
    audit_record(
        actor=user,
        event_type=AuditEventType.NOTIFICATION_SETTINGS_CHANGED,
        obj=prefs,
        before=before,
        after={"language": prefs.language, "muted_kinds": prefs.muted_kinds, "email": prefs.email},
    )
    return prefs
