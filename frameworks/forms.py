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


class OscalImportForm(forms.Form):
    file = forms.FileField(label=_("OSCAL catalog (JSON)"))
    version = forms.CharField(
        label=_("Version label of the new draft"),
        max_length=40,
        validators=[
            RegexValidator(
                r"^[0-9A-Za-z][0-9A-Za-z.\-]*$", _("Use letters, digits, dots and hyphens.")
            )
        ],
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
