import hashlib
import secrets

from django.conf import settings
from django.db import models

__all__ = ["ApiToken"]


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once.

    Example: ``tk_3f9a…`` named "CI export", used with ``Authorization: Token tk_3f9a…``.
    A revoked token stays listed (``revoked_at``) so its use can still be traced.
    """

    PREFIX = "tk_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    #: The first characters, shown in lists so a person can tell tokens apart.
    prefix = models.CharField(max_length=12)
    key_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: :meth:`password_fingerprint` of the owner's password when the token was made: a token
    #: stops working once its owner's password changes (a leaked password's tokens die with it).
    password_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_key() -> str:
        return ApiToken.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def password_fingerprint_of(user) -> str:
        """The SHA-256 of the user's stored password hash: changes whenever the password does.

        Example: ``password_fingerprint_of(user)`` → ``"5e88…"``; after ``set_password`` another value.
        (The stored hash carries its own salt, which is not in the fingerprint, so the fingerprint
        gives nothing to guess passwords against.)
        """
        return hashlib.sha256(user.password.encode()).hexdigest()
