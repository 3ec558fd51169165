from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from frameworks.choices import (
    CHOICE_QUESTION_TYPES,
    Actor,
    Confidence,
    Enforcement,
    QuestionType,
    Strength,
)
from frameworks.models.guards import VersionContentModel
from frameworks.models.versions import FrameworkVersion, Source

__all__ = ["Provision", "Question", "Section"]


def _pydantic_messages(exc: PydanticValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()]


# --- Section ---------------------------------------------------------------------------------


class Section(VersionContentModel):
    """A heading that groups provisions; sections nest and keep their order.

    Example: *第四章 第二節 個人情報取扱事業者の義務* in the APPI, holding Arts. 17–35.
    """

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    key = models.SlugField(max_length=80)
    ref = models.CharField(max_length=80, blank=True)
    title_ja = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    description_ja = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="%(app_label)s_%(class)s_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title_en}".strip()

    def clean(self) -> None:
        if self.parent_id and self.parent.version_id != self.version_id:
            raise ValidationError({"parent": _("The parent section belongs to another version.")})


# --- Provision -------------------------------------------------------------------------------


class Provision(VersionContentModel):
    """One duty, principle or claim, with how strongly it binds and where it comes from.

    Example: APPI *Art. 26 漏えい等の報告等*, ``binding``, for personal-information
    handlers, source e-Gov (verified primary), with its questions. The URN ties
    the same provision together across versions.
    """

    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="provisions"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="provisions")
    urn = models.CharField(max_length=200)
    ref = models.CharField(max_length=80)
    #: The reference as Japanese readers cite it (``第17条``); empty where ``ref`` serves both.
    ref_ja = models.CharField(max_length=80, blank=True)
    title_ja = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300)
    summary_ja = models.TextField()
    summary_en = models.TextField()
    strength = models.CharField(max_length=24, choices=Strength.choices)
    actors = models.JSONField(default=list)
    applies_when = models.JSONField(null=True, blank=True)
    source = models.ForeignKey(Source, on_delete=models.RESTRICT, related_name="provisions")
    confidence = models.CharField(max_length=24, choices=Confidence.choices)
    note_ja = models.TextField(blank=True)
    note_en = models.TextField(blank=True)
    law_id = models.CharField(max_length=20, blank=True)
    law_revision = models.CharField(max_length=80, blank=True)
    #: ``[{"number": "26", "caption_ja": "漏えい等の報告等"}]`` for statute provisions.
    articles = models.JSONField(default=list, blank=True)
    article_text_ja = models.TextField(blank=True)
    #: How a breach is enforced; empty where the framework file does not say (non-statutes).
    enforcement = models.CharField(max_length=24, choices=Enforcement.choices, blank=True)
    #: The articles that provide the enforcement, e.g. ``["148", "178"]``.
    enforcement_articles = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "urn"], name="%(app_label)s_%(class)s_unique_urn"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title_en}"

    def ref_in(self, language: str) -> str:
        """The reference in ``language``: ``第17条`` in Japanese where known, else ``Art. 17``."""
        return (self.ref_ja or self.ref) if language.startswith("ja") else self.ref

    @property
    def is_reported(self) -> bool:
        return self.strength == Strength.REPORTED

    def clean(self) -> None:
        from frameworks.document import ArticleRef, Condition

        errors: dict[str, list[str]] = {}
        if self.section_id and self.section.version_id != self.version_id:
            errors["section"] = [_("The section belongs to another version.")]
        if self.source_id and self.source.version_id != self.version_id:
            errors["source"] = [_("The source belongs to another version.")]
        known = {a.value for a in Actor}
        if not isinstance(self.actors, list) or not self.actors or not set(self.actors) <= known:
            errors["actors"] = [_("List one or more of: %s.") % ", ".join(sorted(known))]
        if self.applies_when not in (None, {}):
            try:
                Condition.model_validate(self.applies_when)
            except PydanticValidationError as exc:
                errors["applies_when"] = _pydantic_messages(exc)
        if self.articles:
            try:
                TypeAdapter(list[ArticleRef]).validate_python(self.articles)
            except PydanticValidationError as exc:
                errors["articles"] = _pydantic_messages(exc)
        if errors:
            raise ValidationError(errors)


# --- Question --------------------------------------------------------------------------------


class Question(VersionContentModel):
    """Something the officer answers about one provision.

    Example: "Do you have a procedure to report a qualifying leak to the PPC?"
    (yes / partly / no, weight 2, evidence expected), under APPI Art. 26.
    ``choices`` holds ``[{"key": "yes", "label_ja": "はい", "label_en": "Yes", "score": 1.0}, ...]``.
    """

    version = models.ForeignKey(
        FrameworkVersion, on_delete=models.CASCADE, related_name="questions"
    )
    provision = models.ForeignKey(Provision, on_delete=models.CASCADE, related_name="questions")
    urn = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=QuestionType.choices)
    prompt_ja = models.TextField()
    prompt_en = models.TextField()
    help_ja = models.TextField(blank=True)
    help_en = models.TextField(blank=True)
    choices = models.JSONField(default=list, blank=True)
    weight = models.FloatField(default=1.0)
    required = models.BooleanField(default=True)
    evidence_expected = models.BooleanField(default=False)
    remediation_ja = models.TextField()
    remediation_en = models.TextField()
    depends_on_urn = models.CharField(max_length=200, blank=True)
    depends_on_answers = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "urn"], name="%(app_label)s_%(class)s_unique_urn"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0),
                name="%(app_label)s_%(class)s_weight_positive",
                violation_error_message=_("The weight must be above zero."),
            ),
        ]

    def __str__(self) -> str:
        return self.urn.rsplit(":", 1)[-1]

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.provision_id and self.provision.version_id != self.version_id:
            errors["provision"] = [_("The provision belongs to another version.")]
        choices = self.choices or []
        if self.type in CHOICE_QUESTION_TYPES:
            if len(choices) < 2:
                errors["choices"] = [_("A choice question needs at least two choices.")]
            for index, choice in enumerate(choices):
                if not isinstance(choice, dict) or set(choice) != {
                    "key",
                    "label_ja",
                    "label_en",
                    "score",
                }:
                    errors.setdefault("choices", []).append(
                        _("Choice %(n)d needs exactly key, label_ja, label_en and score.")
                        % {"n": index + 1}
                    )
                    continue
                score = choice["score"]
                if (
                    isinstance(score, bool)
                    or not isinstance(score, (int, float))
                    or not 0 <= score <= 1
                ):
                    errors.setdefault("choices", []).append(
                        _("Choice %(key)s: the score must be between 0 and 1.")
                        % {"key": choice["key"]}
                    )
            keys = [c.get("key") for c in choices if isinstance(c, dict)]
            if len(set(keys)) != len(keys):
                errors.setdefault("choices", []).append(_("Choice keys must be unique."))
        elif choices:
            errors["choices"] = [_("Only choice questions have choices.")]
        if self.type not in QuestionType.values:
            errors["type"] = [_("Unknown question type.")]
        if bool(self.depends_on_urn) != bool(self.depends_on_answers):
            errors["depends_on_answers"] = [
                _("A condition needs both a question and the answers that show this one.")
            ]
        if errors:
            raise ValidationError(errors)

    def choice_score(self, key: str) -> float | None:
        for choice in self.choices:
            if choice["key"] == key:
                return float(choice["score"])
        return None
