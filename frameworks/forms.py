from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class CloneForm(forms.Form):
    version = forms.CharField(
        label=_("New version label"),
        max_length=40,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z][0-9A-Za-z.\-]*$", _("Use letters, digits, dots and hyphens.")
            )
        ],
    )
