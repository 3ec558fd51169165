"""Personal API tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from portal.models import (
    ApiToken,
    AuditEventType,
    User,
)

from .audit import audit_record


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
