"""The audit log: append-only rows, each chained to the previous one by its hash."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from portal.models import (
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
    # Inside the caller's transaction no savepoint: nothing here is caught and retried, so a
    # failure rolls the whole change back anyway, and a savepoint costs two round trips per row.
    with transaction.atomic(savepoint=False):
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
