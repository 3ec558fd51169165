"""Organisation settings: report marking and logo."""

from __future__ import annotations

from django.db import transaction

from portal.models import (
    AuditEventType,
    Organisation,
    User,
)

from .audit import audit_record

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
