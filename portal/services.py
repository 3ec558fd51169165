"""Project-wide write services."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from portal.models import (
    ApiToken,
    AuditChainHead,
    AuditEvent,
    AuditEventType,
    Organisation,
    User,
)
from portal.request_context import request_id_var


def _event(
    *,
    actor: User | None,
    event_type: AuditEventType,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
    context: models.Model | None = None,
    subject: str = "",
) -> AuditEvent:
    event_type = AuditEventType(event_type)  # ValueError for an unknown type: never a silent typo
    event = AuditEvent(
        occurred_at=timezone.now(),  # part of the row's hash, so fixed before it is computed
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None and actor.pk else "",
        event_type=event_type,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=before,
        after=after,
        request_id=request_id_var.get(),
        organisation=organisation,
        context_type=context._meta.label_lower if context is not None else "",
        context_id=str(context.pk) if context is not None else "",
        subject=subject,
    )
    # actor and organisation are rows the caller holds; checking they exist would cost a query each.
    event.full_clean(
        exclude=["actor", "organisation"], validate_unique=False, validate_constraints=False
    )
    return event


def _chain(events: list[AuditEvent]) -> list[AuditEvent]:
    """Link ``events`` onto the end of the hash chain and insert them, holding the chain's lock.

    The head row is locked until the surrounding transaction commits, so concurrent writers
    queue here and each sees the hash its predecessor left: the chain never forks.
    """
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # a fresh database (or a flushed test database): start from the newest row
            last = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first()
            head = AuditChainHead.objects.create(pk=1, last_hash=last or "")
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        previous = head.last_hash
        for event in events:
            event.prev_hash = previous
            event.row_hash = previous = event.compute_hash()
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            events = AuditEvent.objects.bulk_create(events)
        AuditChainHead.objects.filter(pk=1).update(last_hash=previous)
    return events


def audit_record_many(events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append many rows at once (one INSERT); each dict holds :func:`audit_record`'s arguments."""
    return _chain([_event(**event) for event in events])


def audit_record(
    *,
    actor: User | None,
    event_type: AuditEventType,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
    context: models.Model | None = None,
    subject: str = "",
) -> AuditEvent:
    """Append one row to the audit log. Call it inside the transaction of the change it records."""
    event = _event(
        actor=actor,
        event_type=event_type,
        obj=obj,
        before=before,
        after=after,
        organisation=organisation,
        context=context,
        subject=subject,
    )
    return _chain([event])[0]


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key, which is shown once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=key[:10],
        key_sha256=ApiToken.digest(key),
        password_fingerprint=ApiToken.password_fingerprint_of(user),
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=user,
        event_type=AuditEventType.API_TOKEN_CREATED,
        obj=token,
        after={"name": token.name, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    if token.user_id != user.pk:
        raise PermissionError("not your token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=user,
            event_type=AuditEventType.API_TOKEN_REVOKED,
            obj=token,
            before={"revoked_at": None},
            after={"revoked_at": token.revoked_at.isoformat()},
        )


# --- Accounts (issue 14): every change of a user's flags, password or memberships is audited -----

#: The account flags whose every change is recorded.
ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


def _request_actor() -> User | None:
    """The signed-in person of the request being served, if any (None in commands and workers)."""
    from portal.request_context import request_var

    user = getattr(request_var.get(), "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def account_change_record(
    *, user: User, before: dict[str, Any] | None, actor: User | None = None
) -> None:
    """Audit what changed on ``user``: created, flags (active, staff, superuser), password.

    ``before`` holds the stored ``password`` and flags before the save (None for a new user). The
    password itself is never written to the log, only that it changed.
    Example: an admin ticks "staff" → ``account.changed`` with before ``{"is_staff": false}``,
    after ``{"is_staff": true}``.
    """
    actor = actor or _request_actor()
    with transaction.atomic():
        if before is None:
            audit_record(
                actor=actor,
                event_type=AuditEventType.ACCOUNT_CREATED,
                obj=user,
                after={flag: getattr(user, flag) for flag in ACCOUNT_FLAGS},
            )
            return
        changed = [flag for flag in ACCOUNT_FLAGS if before[flag] != getattr(user, flag)]
        if changed:
            audit_record(
                actor=actor,
                event_type=AuditEventType.ACCOUNT_CHANGED,
                obj=user,
                before={flag: before[flag] for flag in changed},
                after={flag: getattr(user, flag) for flag in changed},
            )
        if before["password"] != user.password:
            audit_record(actor=actor, event_type=AuditEventType.ACCOUNT_PASSWORD_CHANGED, obj=user)


def account_delete_record(*, user: User) -> None:
    """Audit the deletion of a user who has no audit rows (one who has is deactivated instead)."""
    actor = _request_actor()
    if actor is not None and actor.pk == user.pk:
        actor = None  # the row must not point at the user being deleted
    audit_record(
        actor=actor,
        event_type=AuditEventType.ACCOUNT_DELETED,
        obj=user,
        before={"username": user.get_username()},
    )


def membership_change_record(*, membership, before_role: str | None, deleted: bool = False) -> None:
    """Audit a membership created, its role changed, or removed, under its organisation."""
    if deleted:
        event, before, after = AuditEventType.MEMBERSHIP_DELETED, {"role": membership.role}, None
    elif before_role is None:
        event, before, after = AuditEventType.MEMBERSHIP_CREATED, None, {"role": membership.role}
    elif before_role != membership.role:
        event, before, after = (
            AuditEventType.MEMBERSHIP_CHANGED,
            {"role": before_role},
            {"role": membership.role},
        )
    else:
        return
    audit_record(
        actor=_request_actor(),
        event_type=event,
        obj=membership,
        before=before,
        after=after,
        organisation=membership.organisation,
        subject=membership.user.get_username(),
    )


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> None:
    """Deactivate instead of delete: the user can no longer sign in or use tokens, and the audit
    rows that name them stay intact."""
    if not user.is_active:
        return
    user.is_active = False
    user._audit_actor = actor  # the save signal (portal.signals) records the change with this actor
    user.save(update_fields=["is_active"])


# --- Organisation settings ---


@transaction.atomic
def organisation_report_settings_update(
    *,
    actor: User,
    organisation: Organisation,
    confidentiality_marking: str,
    logo=None,
    remove_logo: bool = False,
) -> Organisation:
    """Set the marking printed on the organisation's reports and, optionally, its cover logo.

    Example: ``confidentiality_marking="関係者限り"`` with a PNG logo; ``remove_logo=True``
    removes the logo. The logo is validated (PNG/JPEG, size, dimensions) before anything is saved.
    """
    before = {
        "confidentiality_marking": organisation.confidentiality_marking,
        "logo": organisation.logo.name or "",
    }
    old_logo = organisation.logo.name
    organisation.confidentiality_marking = confidentiality_marking.strip()
    if logo is not None:
        organisation.logo = logo
    elif remove_logo:
        organisation.logo = ""
    organisation.full_clean()
    organisation.save()
    after = {
        "confidentiality_marking": organisation.confidentiality_marking,
        "logo": organisation.logo.name or "",
    }
    audit_record(
        actor=actor,
        event_type=AuditEventType.ORGANISATION_UPDATED,
        obj=organisation,
        before=before,
        after=after,
        organisation=organisation,
    )
    if old_logo and old_logo != organisation.logo.name:
        storage = organisation.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return organisation


# --- People: invitations, roles, removal -------------------------------------------------------

import datetime as dt  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth.password_validation import validate_password  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.core.mail import send_mail  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from portal.models import Invitation, Membership, Role  # noqa: E402


def _membership_snapshot(membership: Membership) -> dict[str, Any]:
    return {"user": membership.user.get_username(), "role": membership.role}


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str, link_base: str
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``organisation`` as ``role``; e-mails a one-time link after commit.

    ``link_base`` is the absolute URL the token is appended to, e.g.
    ``https://tekigo.example/accounts/invitations/``. Returns the row and the token (never stored).
    """
    email = (email or "").strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    token = Invitation.new_token()
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_sha256=Invitation.digest(token),
        invited_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=Invitation.VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor,
        event_type=AuditEventType.INVITATION_CREATED,
        obj=invitation,
        after={"email": email, "role": role},
        organisation=organisation,
    )
    context = {
        "organisation": organisation.name,
        "inviter": actor.get_username(),
        "role": Role(role).label,
        "link": f"{link_base}{token}/",
        "days": Invitation.VALID_DAYS,
    }
    subject = _("You are invited to %(organisation)s on Tekigo") % context
    body = render_to_string("portal/email/invitation.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)
    )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            event_type=AuditEventType.INVITATION_REVOKED,
            obj=invitation,
            before={"revoked_at": None},
            after={"revoked_at": invitation.revoked_at.isoformat()},
            organisation=invitation.organisation,
        )


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User | None = None, password: str = ""
) -> Membership:
    """Use an invitation once: an existing (signed-in) ``user`` joins, or a new account is made.

    A new account is named after the invited address and gets ``password`` (validated by
    Django's password validators). A second use of the same link is refused.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError({"token": _("This invitation has already been used.")})
    if invitation.expires_at <= timezone.now():
        raise ValidationError({"token": _("This invitation has expired.")})
    if user is None:
        if User.objects.filter(username__iexact=invitation.email).exists():
            raise ValidationError(
                {"token": _("An account with this address exists: sign in first.")}
            )
        user = User(username=invitation.email, email=invitation.email)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
        user.full_clean()
        user.save()
    elif (user.email or "").lower() != invitation.email:
        raise ValidationError({"token": _("This invitation was sent to another address.")})
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        event_type=AuditEventType.INVITATION_ACCEPTED,
        obj=invitation,
        after=_membership_snapshot(membership),
        organisation=invitation.organisation,
    )
    return membership


def _refuse_last_admin(membership: Membership) -> None:
    # An organisation without an admin could never manage its members again.
    if (
        membership.role == Role.ADMIN
        and not Membership.objects.filter(
            organisation_id=membership.organisation_id, role=Role.ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError({"role": _("An organisation keeps at least one admin.")})


@transaction.atomic
def membership_role_change(*, actor: User, membership: Membership, role: str) -> Membership:
    before = _membership_snapshot(membership)
    if role != membership.role:
        if role != Role.ADMIN:
            _refuse_last_admin(membership)
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role"])
        audit_record(
            actor=actor,
            event_type=AuditEventType.MEMBERSHIP_ROLE_CHANGED,
            obj=membership,
            before=before,
            after=_membership_snapshot(membership),
            organisation=membership.organisation,
        )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    _refuse_last_admin(membership)
    audit_record(
        actor=actor,
        event_type=AuditEventType.MEMBERSHIP_REMOVED,
        obj=membership,
        before=_membership_snapshot(membership),
        organisation=membership.organisation,
    )
    membership.delete()


def password_reset_record(*, user: User) -> None:
    """Audit a password set through an e-mailed reset link (called by the reset-confirm page)."""
    audit_record(actor=user, event_type=AuditEventType.PASSWORD_RESET, obj=user)


def password_change_record(*, user: User) -> None:
    """Audit a password changed by its signed-in owner (never the password itself)."""
    audit_record(actor=user, event_type=AuditEventType.PASSWORD_CHANGED, obj=user)


# --- Notifications ---------------------------------------------------------------------------

from django.db import IntegrityError  # noqa: E402
from django.utils import translation  # noqa: E402

from portal.models import Notification, NotificationKind, NotificationSettings  # noqa: E402

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
