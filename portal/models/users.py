from django.contrib.auth.models import AbstractUser

__all__ = ["User"]


class User(AbstractUser):
    """A person who signs in to Tekigo.

    A compliance officer or auditor reaches organisations through memberships;
    ``is_staff`` marks the administrators who edit framework versions.
    Example: ``officer@acme.example`` (officer of ACME), ``admin`` (staff).
    """

    class Meta:
        db_table = "portal_user"
