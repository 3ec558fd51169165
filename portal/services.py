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
