"""Project-wide write services."""

from __future__ import annotations

from typing import Any

from django.db import models

from portal.models import AuditEvent, AuditEventType, Organisation, User
from portal.request_context import request_id_var


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
    event.full_clean()
    event.save(force_insert=True)
    return event
