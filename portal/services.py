"""Project-wide write services."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from portal.models import ApiToken, AuditEvent, AuditEventType, Organisation, User
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


def audit_record_many(events: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append many rows at once (one INSERT); each dict holds :func:`audit_record`'s arguments."""
    return AuditEvent.objects.bulk_create([_event(**event) for event in events])


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
    event.save(force_insert=True)
    return event


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the key, which is shown once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken(user=user, name=name.strip(), prefix=key[:10], key_sha256=ApiToken.digest(key))
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
