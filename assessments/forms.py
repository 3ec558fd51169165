from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.scoping import ScopingProfile
from frameworks.applicability import FACTS
from frameworks.models import FrameworkVersion

ROLE_CHOICES = [
    ("ai_developer", _("AI developer: builds AI models or systems")),
    ("ai_provider", _("AI provider: offers AI systems or services to others")),
    ("ai_business_user", _("AI business user: uses AI in its own business")),
    ("rnd_institution", _("R&D institution: university or research body")),
]

# Facts asked as yes/no questions, in the order of the form: the fact catalogue is the one
# source of the questions, their labels and their groups.
BOOLEAN_FACTS = [name for name, fact in FACTS.items() if fact.kind == "bool"]
CHOICE_FACTS = [name for name, fact in FACTS.items() if fact.kind == "choice"]


class ScopingForm(forms.Form):
    """The organisation's scoping profile. Labels come from the fact catalogue in both languages."""

    roles = forms.MultipleChoiceField(
        label=_("Your roles with AI (choose all that apply)"),
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    foundation_model_parameters = forms.IntegerField(
        label=_("Parameter count of your largest foundation model"),
        required=False,
        min_value=0,
        max_value=10**15,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, language: str = "ja", **kwargs):
        super().__init__(*args, **kwargs)
        english = language.startswith("en")
        for name in BOOLEAN_FACTS + CHOICE_FACTS:
            fact = FACTS[name]
            label = fact.label_en if english else fact.label_ja
            help_text = fact.help_en if english else fact.help_ja
            if fact.kind == "choice":
                self.fields[name] = forms.ChoiceField(
                    label=label,
                    help_text=help_text,
                    choices=[(v, en if english else ja) for v, ja, en in fact.choices],
                    initial=fact.choices[0][0],
                    widget=forms.RadioSelect,
                    required=False,
                )
            else:
                self.fields[name] = forms.BooleanField(
                    label=label, help_text=help_text, required=False
                )

    def fact_fields(self, group: str) -> list:
        """The bound fields of one group of facts (``"personal"`` or ``"ai"``), in catalogue order."""
        return [
            self[name]
            for name, fact in FACTS.items()
            if fact.group == group and name in self.fields and fact.kind != "number"
        ]

    @property
    def personal_fields(self) -> list:
        return self.fact_fields("personal")

    @property
    def ai_fields(self) -> list:
        return self.fact_fields("ai")

    def clean(self):
        data = super().clean()
        if not data.get("roles"):
            self.add_error("roles", _("Choose at least one role."))
        return data

    def profile(self) -> ScopingProfile:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k in ScopingProfile.model_fields and v not in ("", None)
        }
        return ScopingProfile.model_validate(data)

    @classmethod
    def initial_from(cls, scoping: dict, revision: int) -> dict:
        return {**scoping, "revision": revision}


class AssessmentCreateForm(ScopingForm):
    name = forms.CharField(label=_("Assessment name"), max_length=200)
    versions = forms.ModelMultipleChoiceField(
        label=_("Frameworks to assess (the latest published version of each)"),
        queryset=FrameworkVersion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    field_order = ["name", "versions", "roles"]

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["versions"].queryset = FrameworkVersion.objects.filter(
            pk__in=[v.pk for v in versions]
        )
        self.fields["versions"].initial = [v.pk for v in versions]
        self.fields["versions"].label_from_instance = lambda v: (
            f"{v.name_ja if kwargs.get('language', 'ja').startswith('ja') else v.name_en} ({v.version})"
        )
        self.fields.pop("revision")


# --- History ---------------------------------------------------------------------------------


class HistoryFilterForm(forms.Form):
    """The history page's filters; every field is optional. ``choices`` come from
    :func:`assessments.selectors.history_filter_choices`: the people and questions that occur."""

    person = forms.ChoiceField(label=_("Person"), required=False)
    kind = forms.ChoiceField(label=_("Kind of event"), required=False)
    question = forms.ChoiceField(label=_("Question"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, choices: dict, **kwargs):
        from portal.models import AuditEventType

        super().__init__(*args, **kwargs)
        everyone = [("", _("Everyone"))]
        self.fields["person"].choices = everyone + [(p, p) for p in choices["people"]]
        # Only the kinds an assessment's history can hold (not framework or token events).
        self.fields["kind"].choices = [("", _("All events"))] + [
            (t.value, t.label)
            for t in AuditEventType
            if not t.value.startswith(("framework_", "api_token."))
        ]
        subjects = list(choices["subjects"])
        asked = self.data.get("question") if self.is_bound else None
        if asked and asked not in dict(subjects):
            # "History of this answer" links a question that may have no event yet: filter by it
            # and show nothing, rather than refuse the link.
            subjects.append((asked, asked))
        self.fields["question"].choices = [("", _("All questions"))] + subjects

    def filters(self) -> dict:
        """The selector's keyword arguments for the valid, non-empty fields (call is_valid first)."""
        data = getattr(self, "cleaned_data", {})
        return {
            key: value
            for key, value in {
                "actor_name": data.get("person"),
                "event_type": data.get("kind"),
                "subject": data.get("question"),
                "date_from": data.get("date_from"),
                "date_to": data.get("date_to"),
            }.items()
            if value
        }


# --- Roll-forward (issue 12) -----------------------------------------------------------------


class AssessmentRollForwardForm(forms.Form):
    """ "Start from a previous assessment": the new name and the assessment to start from.

    ``assessments`` are the organisation's assessments offered in the select. The chosen id is
    checked by ``access_assessment_for_roll_forward`` (the same 404 as the API for any other),
    not by the list, so the page and the API refuse alike.
    """

    name = forms.CharField(label=_("Assessment name"), max_length=200)
    previous = forms.IntegerField(
        label=_("Start from"), min_value=1, max_value=2**63 - 1, widget=forms.Select
    )

    def __init__(self, *args, assessments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["previous"].widget.choices = [(a.pk, a.name) for a in assessments]
