"""Accounts: every change of a user's flags, password or memberships is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from portal.models import (
    AuditEventType,
    User,
)

from .audit import audit_record

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
