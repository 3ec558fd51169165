"""Forms of the framework pages (clone, publish, retire) and of the admin's framework content."""

import re
from collections.abc import Callable
from typing import Any

import yaml
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from frameworks.choices import CHOICE_QUESTION_TYPES, Actor
from frameworks.document import KEY_PATTERN, ArticleRef, ChoiceDoc, Condition, format_loc
from frameworks.files import _StrictLoader
from frameworks.models import FrameworkVersion, Provision, Question, Section, Source
from frameworks.models.text import normalise_data, normalise_text


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


class PublishForm(forms.Form):
    """What publishing asks for: the date the version takes effect and a release note in both languages."""

    effective_date = forms.DateField(
        label=_("Effective date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    release_note_ja = forms.CharField(
        label=_("Release note (Japanese)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    release_note_en = forms.CharField(
        label=_("Release note (English)"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RetireForm(forms.Form):
    """Retiring a version asks why (e.g. "superseded by 20260717"); the reason goes into the audit log."""

    reason = forms.CharField(
        label=_("Reason for retiring"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Admin: validated fields for the structured parts of framework content ------------------

ARTICLE_PATTERN = r"^(suppl-)?[0-9]+(-[0-9]+)*(\([0-9]+\))*$"


class NormalisedCharField(forms.CharField):
    """A text field whose value takes the stored normal form (``\\n``, NFC) before comparison.

    Example: a textarea posting ``"a\\r\\nb"`` for a stored ``"a\\nb"`` has not changed.
    """

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_text(value) if isinstance(value, str) else value


class StructuredField(forms.CharField):
    """Structured data edited as YAML (or JSON) in a textarea, validated by a pydantic model.

    Example: a question's choices, written as in the framework file::

        - {key: yes, label: {ja: はい, en: "Yes"}, score: 1}
        - {key: no, label: {ja: いいえ, en: "No"}, score: 0}

    Errors name the place inside the value (``[1].label.en: Field required``). ``to_model``
    turns the validated value into what the model field stores, ``from_model`` back.
    """

    widget = forms.Textarea(attrs={"rows": 6, "cols": 80, "class": "vLargeTextField structured"})

    def __init__(
        self,
        *,
        adapter: TypeAdapter,
        to_model: Callable[[Any], Any],
        from_model: Callable[[Any], Any],
        empty: Any,
        accept: Callable[[Any], Any] = lambda data: data,
        **kwargs,
    ):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.adapter, self.to_model, self.from_model, self.empty = (
            adapter,
            to_model,
            from_model,
            empty,
        )
        self.accept = accept

    def prepare_value(self, value):
        if isinstance(value, str):  # bound data, shown back as typed
            return value
        if value in (None, [], {}):
            return ""
        return yaml.safe_dump(
            self.from_model(value), allow_unicode=True, sort_keys=False, width=100
        ).strip()

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return self.empty
        try:
            data = yaml.load(normalise_text(text), Loader=_StrictLoader)  # noqa: S506 (safe loader)
        except yaml.YAMLError as exc:
            raise ValidationError(
                _("This is not valid YAML or JSON: %(problem)s"),
                code="syntax",
                params={"problem": str(getattr(exc, "problem", None) or exc)},
            ) from exc
        try:
            parsed = self.adapter.validate_python(self.accept(data))
        except PydanticValidationError as exc:
            raise ValidationError(
                [
                    f"{format_loc(e['loc']) or _('value')}: {e['msg'].removeprefix('Value error, ')}"
                    for e in exc.errors()
                ],
                code="invalid",
            ) from exc
        return normalise_data(self.to_model(parsed))

    def has_changed(self, initial, data):
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        old = self.empty if initial in (None, "") else initial
        return normalise_data(old) != new


class KeyListField(forms.CharField):
    """A short list of keys typed as ``yes, partial``; each must match ``pattern``."""

    def __init__(self, *, pattern: str = KEY_PATTERN, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.pattern = re.compile(pattern)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        # Commas, blanks or a JSON list (``["yes", "partial"]``) all separate the keys.
        items = [item for item in re.split(r"[,\s、\[\]\"']+", normalise_text(text)) if item]
        wrong = [item for item in items if not self.pattern.match(item)]
        if wrong:
            raise ValidationError(
                _("Not a valid entry: %(items)s."),
                code="invalid",
                params={"items": ", ".join(wrong)},
            )
        return items

    def has_changed(self, initial, data):
        try:
            return (initial or []) != self.to_python(data)
        except ValidationError:
            return True


def _choices_to_model(choices: list[ChoiceDoc]) -> list[dict[str, Any]]:
    return [
        {"key": c.key, "label_ja": c.label.ja, "label_en": c.label.en, "score": c.score}
        for c in choices
    ]


def _choices_accept_model_shape(data: Any) -> Any:
    """Choices pasted from the API (``label_ja``/``label_en``) read as the file shape (``label``)."""
    if not isinstance(data, list):
        return data
    return [
        {
            "key": c.get("key"),
            "label": {"ja": c.pop("label_ja", None), "en": c.pop("label_en", None)},
            **{k: v for k, v in c.items() if k != "key"},
        }
        if isinstance(c, dict) and "label" not in c and {"label_ja", "label_en"} & set(c)
        else c
        for c in data
    ]


def _choices_from_model(choices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "key": c.get("key"),
            "label": {"ja": c.get("label_ja"), "en": c.get("label_en")},
            "score": c.get("score"),
        }
        for c in choices
    ]


class ContentAdminForm(forms.ModelForm):
    """Base of the admin forms of framework content: text fields compare in normal form.

    ``parent_version_id`` is set on the inline form class where the row's version comes
    from its parent (a question added under a provision).
    """

    parent_version_id: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if type(field) is forms.CharField:
                replacement = NormalisedCharField(
                    required=field.required,
                    max_length=field.max_length,
                    label=field.label,
                    help_text=field.help_text,
                    widget=field.widget,
                    empty_value=field.empty_value,
                )
                replacement.validators = field.validators
                self.fields[name] = replacement

    @property
    def version_id(self) -> int | None:
        return getattr(self.instance, "version_id", None) or self.parent_version_id

    def clean(self):
        data = super().clean()
        # An untouched structured field keeps the stored value as it is (its key or list order
        # too), so saving an unchanged form writes nothing.
        for name, field in self.fields.items():
            if (
                isinstance(field, (StructuredField, KeyListField, forms.MultipleChoiceField))
                and name in data
                and name in self.initial
                and name not in self.changed_data
            ):
                data[name] = self.initial[name]
        return data


class FrameworkVersionAdminForm(ContentAdminForm):
    class Meta:
        model = FrameworkVersion
        fields = "__all__"


class SourceAdminForm(ContentAdminForm):
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Source
        fields = "__all__"


class SectionAdminForm(ContentAdminForm):
    class Meta:
        model = Section
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.version_id and "parent" in self.fields:
            self.fields["parent"].queryset = Section.objects.filter(
                version_id=self.version_id
            ).exclude(pk=self.instance.pk)


def _condition_in_file_order(data: Any) -> Any:
    try:
        return Condition.model_validate(data).as_data()
    except PydanticValidationError:
        return data  # shown as stored; saving it is refused with the reason


class ProvisionAdminForm(ContentAdminForm):
    """A provision: its section and source from its own version, actors as checkboxes,
    applicability, statute articles and enforcement as validated fields."""

    actors = forms.MultipleChoiceField(
        label=_("Actors"), choices=Actor.choices, widget=forms.CheckboxSelectMultiple
    )
    applies_when = StructuredField(
        label=_("Applies when"),
        adapter=TypeAdapter(Condition),
        to_model=lambda c: c.as_data(),
        # In the file's key order (fact, then is / includes), whatever order the database keeps:
        # PostgreSQL's jsonb reorders keys.
        from_model=lambda data: _condition_in_file_order(data),
        empty=None,
        help_text=_(
            "Blank: applies to everyone it addresses. Example: "
            "all: [{fact: handles_personal_info, is: true}, {fact: roles, includes: ai_provider}]"
        ),
    )
    articles = StructuredField(
        label=_("Statute articles"),
        adapter=TypeAdapter(list[ArticleRef]),
        to_model=lambda items: [a.model_dump(exclude_none=True) for a in items],
        from_model=lambda data: data,
        empty=[],
        help_text=_('Example: [{number: "26", caption_ja: 漏えい等の報告等}]'),
    )
    enforcement_articles = KeyListField(
        label=_("Enforcement articles"),
        pattern=ARTICLE_PATTERN,
        help_text=_("Article numbers separated by commas, e.g. 148, 178."),
    )

    class Meta:
        model = Provision
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.version_id:
            # Only this version's rows: a section or source of another version is never right.
            self.fields["section"].queryset = Section.objects.filter(version_id=self.version_id)
            self.fields["source"].queryset = Source.objects.filter(version_id=self.version_id)

    def clean(self):
        data = super().clean()
        if data.get("enforcement_articles") and not data.get("enforcement"):
            self.add_error("enforcement_articles", _("Choose how the provision is enforced first."))
        return data


class QuestionAdminForm(ContentAdminForm):
    """A question: its provision from its own version, choices as validated YAML, and the
    follow-up condition as a question of the same version plus the answers that show it."""

    choices = StructuredField(
        label=_("Choices"),
        adapter=TypeAdapter(list[ChoiceDoc]),
        to_model=_choices_to_model,
        from_model=_choices_from_model,
        accept=_choices_accept_model_shape,
        empty=[],
        help_text=_(
            'One per line, e.g. - {key: "yes", label: {ja: はい, en: "Yes"}, score: 1}. '
            "Blank for text questions."
        ),
    )
    depends_on_urn = forms.ChoiceField(label=_("Shown only after question"), required=False)
    depends_on_answers = KeyListField(
        label=_("…answered with"),
        help_text=_("Choice keys separated by commas, e.g. yes, partial."),
    )

    class Meta:
        model = Question
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        others = Question.objects.filter(version_id=self.version_id, type__in=CHOICE_QUESTION_TYPES)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self._others = {q.urn: q for q in others} if self.version_id else {}
        self.fields["depends_on_urn"].choices = [("", "—")] + [
            (urn, f"{urn.rsplit(':', 1)[-1]}: {q.prompt_en[:60]}")
            for urn, q in self._others.items()
        ]
        if self.version_id and "provision" in self.fields:
            self.fields["provision"].queryset = Provision.objects.filter(version_id=self.version_id)

    def clean(self):
        data = super().clean()
        urn, answers = data.get("depends_on_urn"), data.get("depends_on_answers") or []
        if urn and not answers:
            self.add_error("depends_on_answers", _("Name the answers that show this question."))
        elif answers and not urn:
            self.add_error("depends_on_urn", _("Choose the question these answers belong to."))
        elif urn and urn in self._others:
            keys = {c["key"] for c in self._others[urn].choices}
            unknown = [a for a in answers if a not in keys]
            if unknown:
                self.add_error(
                    "depends_on_answers",
                    _("That question has no answer %(keys)s.") % {"keys": ", ".join(unknown)},
                )
        return data
