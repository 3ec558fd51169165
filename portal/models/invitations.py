import hashlib
import secrets

from django.conf import settings
from django.db import models

from portal.models.tenancy import Organisation, Role

__all__ = ["Invitation"]


class Invitation(models.Model):
    """An organisation admin's invitation of a person, by e-mail, to join with a role.

    Example: the admin of *Acme AI* invites ``legal@acme.example`` as a contributor; the
    e-mail carries a one-time link ``/accounts/invitations/<token>/`` valid for
    ``INVITATION_VALID_DAYS``. Only the token's SHA-256 is stored; accepting it (once) sets
    ``accepted_at`` and makes the membership; an admin may revoke it before that.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    token_sha256 = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    #: How long a link stays valid.
    VALID_DAYS = 7

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.role})"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
