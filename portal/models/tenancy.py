from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Membership", "Organisation", "Role"]


class Role(models.TextChoices):
    """What a member may do in an organisation. Staff admins (``User.is_staff``) edit frameworks.

    What each role may do is decided in one place, :class:`portal.selectors.MemberAccess`:
    an admin manages members and does all an officer does; a contributor answers only the
    questions assigned to them; an auditor reads.
    """

    OFFICER = "officer", _("Compliance officer")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Organisation admin")
    CONTRIBUTOR = "contributor", _("Contributor")


class Organisation(models.Model):
    """A company whose AI governance is assessed; the unit of data isolation.

    Example: *Sample AI K.K.*, with an officer who fills assessments and an
    auditor who reads them. Nobody outside it sees its assessments.
    """

    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in one organisation; a person may belong to several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="%(app_label)s_%(class)s_unique_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"
