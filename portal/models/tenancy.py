from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Membership", "Organisation", "Role", "logo_validate"]

#: Limits of an organisation logo: it is printed small on the report cover.
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 2000
LOGO_MIN_SIDE = 16
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def logo_validate(file) -> None:
    """A logo must be a real PNG or JPEG image of at most 512 KB and 2000 × 2000 pixels.

    Example: a 400 × 120 PNG passes; a GIF, an SVG, a renamed PDF or a 5000-pixel photo does not.
    The image is decoded, not judged by its name, because it is later drawn into the PDF.
    """
    from PIL import Image, UnidentifiedImageError

    if file.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is larger than 512 KB."), code="logo_size")
    try:
        file.seek(0)
        with Image.open(file) as image:
            image.verify()
            fmt, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The logo must be a PNG or JPEG image."), code="logo_format"
        ) from None
    finally:
        file.seek(0)
    if fmt not in LOGO_FORMATS:
        raise ValidationError(_("The logo must be a PNG or JPEG image."), code="logo_format")
    if not (LOGO_MIN_SIDE <= width <= LOGO_MAX_SIDE and LOGO_MIN_SIDE <= height <= LOGO_MAX_SIDE):
        raise ValidationError(
            _("The logo must be between 16 and 2000 pixels wide and high."), code="logo_dimensions"
        )


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
    #: Printed on the cover and on every page of its reports (社外秘 = internal, confidential).
    confidentiality_marking = models.CharField(
        _("confidentiality marking"), max_length=40, default="社外秘"
    )
    #: Optional logo on the report cover (PNG or JPEG, validated by ``logo_validate``).
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True, validators=[logo_validate])

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
