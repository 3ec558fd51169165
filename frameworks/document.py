"""The framework file format: one YAML (or JSON) document per framework version.

This pydantic model *is* the format. ``framework_schema --write`` publishes its
JSON Schema to ``frameworks/framework.schema.json``. A minimal file::

    schema_version: 1
    urn: urn:tekigo:fw:example
    name: {ja: 例, en: Example}
    version: "1.0"
    effective_date: 2025-09-01
    legal_status: statute
    status: published
    sources:
      - {key: egov, title: ..., publisher: e-Gov, confidence: verified_primary}
    sections:
      - key: ch1
        title: {ja: 総則, en: General provisions}
        provisions:
          - urn: urn:tekigo:fw:example:prov:art-1
            ...

Field-level rules live on the models; rules that need the whole document
(unique URNs, references between items) live in :func:`document_problems`, so
that every problem is reported with its path, such as
``sections[2].provisions[0].questions[1].type``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from frameworks.applicability import FACTS, ROLE_ACTORS
from frameworks.choices import (
    CHOICE_QUESTION_TYPES,
    Actor,
    Confidence,
    Enforcement,
    LegalStatus,
    QuestionType,
    Strength,
    VersionStatus,
)

SCHEMA_VERSION = 1
URN_PATTERN = r"^urn:tekigo:[a-z0-9][a-z0-9-]*(:[a-z0-9][a-z0-9._-]*)*$"
KEY_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"

Urn = Annotated[str, StringConstraints(pattern=URN_PATTERN, max_length=200)]
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=80)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, use_enum_values=True)


class Text(Strict):
    """The same text in Japanese and English; both are required."""

    ja: NonEmpty
    en: NonEmpty


class SourceDoc(Strict):
    """Where a fact comes from, and how sure we are of it."""

    key: Key
    title: NonEmpty
    publisher: NonEmpty
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    date: dt.date | None = None
    confidence: Confidence


class ArticleRef(Strict):
    """One article of a statute: ``number`` is ``"26"``, ``"2-2"`` (Art. 2-2) or ``"suppl-2"`` (the original supplementary provisions)."""

    number: Annotated[str, StringConstraints(pattern=r"^(suppl-)?[0-9]+(-[0-9]+)*$")]
    #: The article's own caption without brackets, as in e-Gov; none where the article has none.
    caption_ja: NonEmpty | None = None


class StatuteRef(Strict):
    """The e-Gov identity of the statute text a provision is taken from."""

    law_id: Annotated[str, StringConstraints(pattern=r"^[0-9]{3}[A-Z]{2}[0-9]{10}$")]
    revision: NonEmpty
    articles: list[ArticleRef] = Field(min_length=1)
    #: Official Japanese text, quoted verbatim (public domain, Copyright Act Art. 13).
    text_ja: NonEmpty | None = None


class EnforcementDoc(Strict):
    """How a breach of the provision is enforced, and the articles that say so.

    Example: ``{kind: regulator_order, articles: ["148", "178"]}`` for APPI Art. 23.
    """

    kind: Enforcement
    articles: list[
        Annotated[str, StringConstraints(pattern=r"^(suppl-)?[0-9]+(-[0-9]+)*(\([0-9]+\))*$")]
    ] = Field(default_factory=list)


class Condition(Strict):
    """A declarative applicability condition; see :mod:`frameworks.applicability`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    all: list[Condition] | None = Field(default=None, min_length=1)
    any: list[Condition] | None = Field(default=None, min_length=1)
    not_: Condition | None = Field(default=None, alias="not")
    fact: str | None = None
    is_: bool | None = Field(default=None, alias="is")
    includes: str | None = None
    gte: float | None = None
    lt: float | None = None

    @model_validator(mode="after")
    def _one_shape(self) -> Condition:
        combinators = [k for k in ("all", "any", "not_") if getattr(self, k) is not None]
        tests = [k for k in ("is_", "includes", "gte", "lt") if getattr(self, k) is not None]
        if combinators:
            if len(combinators) > 1 or self.fact is not None or tests:
                raise ValueError(
                    "a condition is either all, any, not, or one fact test, never several"
                )
            return self
        if self.fact is None or len(tests) != 1:
            raise ValueError("a fact test needs 'fact' and exactly one of is, includes, gte, lt")
        fact = FACTS.get(self.fact)
        if fact is None:
            raise ValueError(f"unknown fact {self.fact!r}; known facts: {', '.join(sorted(FACTS))}")
        if fact.kind == "choice":
            raise ValueError(
                f"fact {self.fact!r} is a follow-up answer: test the facts it implies instead"
            )
        expected = {"bool": "is_", "roles": "includes", "number": None}[fact.kind]
        if expected and tests[0] != expected:
            raise ValueError(f"fact {self.fact!r} is tested with {expected.rstrip('_')!r}")
        if fact.kind == "number" and tests[0] not in ("gte", "lt"):
            raise ValueError(f"fact {self.fact!r} is a number: test it with gte or lt")
        if fact.kind == "roles" and self.includes not in {a.value for a in ROLE_ACTORS}:
            raise ValueError(f"unknown role {self.includes!r}")
        return self

    def as_data(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class ChoiceDoc(Strict):
    key: Key
    label: Text
    score: float = Field(ge=0, le=1)


class DependsOn(Strict):
    """Show a question only when another question's answer is one of ``answers`` (choice keys)."""

    question: Urn
    answers: list[Key] = Field(min_length=1)


YES_NO_PARTIAL_CHOICES = [
    ChoiceDoc(key="yes", label=Text(ja="はい", en="Yes"), score=1.0),
    ChoiceDoc(key="partial", label=Text(ja="一部", en="Partly"), score=0.5),
    ChoiceDoc(key="no", label=Text(ja="いいえ", en="No"), score=0.0),
]


class QuestionDoc(Strict):
    urn: Urn
    type: QuestionType
    prompt: Text
    help: Text | None = None
    choices: list[ChoiceDoc] | None = None
    weight: float = Field(default=1.0, gt=0, le=10)
    required: bool = True
    evidence_expected: bool = False
    remediation: Text
    depends_on: DependsOn | None = None

    @model_validator(mode="after")
    def _choices_fit_type(self) -> QuestionDoc:
        if self.type in CHOICE_QUESTION_TYPES:
            if self.choices is None and self.type == QuestionType.YES_NO_PARTIAL:
                self.choices = [c.model_copy() for c in YES_NO_PARTIAL_CHOICES]
            if not self.choices or len(self.choices) < 2:
                raise ValueError(f"a {self.type} question needs at least two choices")
            keys = [c.key for c in self.choices]
            if len(set(keys)) != len(keys):
                raise ValueError(
                    f"choice keys repeat: {sorted({k for k in keys if keys.count(k) > 1})}"
                )
        elif self.choices:
            raise ValueError(f"a {self.type} question has no choices")
        return self


class ProvisionDoc(Strict):
    urn: Urn
    ref: NonEmpty
    #: How Japanese readers cite it, e.g. ``第17条`` or ``第20条第2項``; ``ref`` is the English form.
    ref_ja: NonEmpty | None = None
    title: Text
    summary: Text
    strength: Strength
    actors: list[Actor] = Field(min_length=1)
    applies_when: Condition | None = None
    source: Key
    confidence: Confidence
    statute: StatuteRef | None = None
    enforcement: EnforcementDoc | None = None
    note: Text | None = None
    questions: list[QuestionDoc] = Field(default_factory=list)

    @model_validator(mode="after")
    def _government_duties_are_context(self) -> ProvisionDoc:
        if self.strength == Strength.GOVERNMENT_DUTY and self.questions:
            raise ValueError(
                "a government_duty provision binds the state, not the organisation: it has no questions"
            )
        return self


class SectionDoc(Strict):
    key: Key
    ref: NonEmpty | None = None
    title: Text
    description: Text | None = None
    sections: list[SectionDoc] = Field(default_factory=list)
    provisions: list[ProvisionDoc] = Field(default_factory=list)


class FrameworkDocument(Strict):
    """One version of one framework, as stored in ``frameworks/catalog/*.yaml``."""

    schema_version: Literal[1]
    urn: Urn
    name: Text
    short_name: Text
    description: Text
    issuer: Text
    version: Annotated[
        str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.\-]*$", max_length=40)
    ]
    #: Optional only for a ``reported_unverified`` version: a reported claim is not in force.
    effective_date: dt.date | None = None
    legal_status: LegalStatus
    status: VersionStatus = VersionStatus.PUBLISHED
    #: A visible note on the version, e.g. what primary sources say about a reported claim.
    notes: Text | None = None
    sources: list[SourceDoc] = Field(min_length=1)
    sections: list[SectionDoc] = Field(min_length=1)

    @model_validator(mode="after")
    def _dated_unless_reported(self) -> FrameworkDocument:
        if self.effective_date is None and self.legal_status != LegalStatus.REPORTED_UNVERIFIED:
            raise ValueError(
                "effective_date is required: only a reported_unverified version may leave it out"
            )
        return self

    def content(self) -> dict[str, Any]:
        """The hashed content: everything but the lifecycle status."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        data.pop("status", None)
        return data


def iter_sections(sections: list[SectionDoc], path: str = "sections"):
    """Yield ``(path, section)`` depth first, in document order."""
    for index, section in enumerate(sections):
        here = f"{path}[{index}]"
        yield here, section
        yield from iter_sections(section.sections, f"{here}.sections")


def iter_provisions(document: FrameworkDocument):
    for path, section in iter_sections(document.sections):
        for index, provision in enumerate(section.provisions):
            yield f"{path}.provisions[{index}]", provision


def iter_questions(document: FrameworkDocument):
    for path, provision in iter_provisions(document):
        for index, question in enumerate(provision.questions):
            yield f"{path}.questions[{index}]", question


def document_problems(document: FrameworkDocument) -> list[tuple[str, str]]:
    """Rules over the whole document, as ``(path, message)`` pairs; empty when the document is sound."""
    problems: list[tuple[str, str]] = []
    source_keys = [s.key for s in document.sources]
    for index, key in enumerate(source_keys):
        if source_keys.index(key) != index:
            problems.append((f"sources[{index}].key", f"duplicate source key {key!r}"))

    seen_sections: dict[str, str] = {}
    for path, section in iter_sections(document.sections):
        if section.key in seen_sections:
            problems.append(
                (
                    f"{path}.key",
                    f"duplicate section key {section.key!r} (first at {seen_sections[section.key]})",
                )
            )
        seen_sections.setdefault(section.key, path)

    reported = document.legal_status == LegalStatus.REPORTED_UNVERIFIED
    seen_urns: dict[str, str] = {}
    prefix = document.urn + ":"
    for path, provision in iter_provisions(document):
        if provision.urn in seen_urns:
            problems.append(
                (
                    f"{path}.urn",
                    f"duplicate URN {provision.urn!r} (first at {seen_urns[provision.urn]})",
                )
            )
        seen_urns.setdefault(provision.urn, path)
        if not provision.urn.startswith(prefix):
            problems.append(
                (f"{path}.urn", f"provision URNs start with the framework URN {prefix!r}")
            )
        if provision.source not in source_keys:
            problems.append(
                (
                    f"{path}.source",
                    f"unknown source {provision.source!r}; declared sources: {', '.join(source_keys)}",
                )
            )
        if reported and provision.strength != Strength.REPORTED:
            problems.append(
                (
                    f"{path}.strength",
                    "a reported_unverified version holds only 'reported' provisions",
                )
            )
        if not reported and provision.strength == Strength.REPORTED:
            problems.append(
                (
                    f"{path}.strength",
                    "'reported' provisions belong in a reported_unverified version",
                )
            )

    questions = dict()
    for path, question in iter_questions(document):
        if question.urn in seen_urns:
            problems.append(
                (
                    f"{path}.urn",
                    f"duplicate URN {question.urn!r} (first at {seen_urns[question.urn]})",
                )
            )
        seen_urns.setdefault(question.urn, path)
        if not question.urn.startswith(prefix):
            problems.append(
                (f"{path}.urn", f"question URNs start with the framework URN {prefix!r}")
            )
        questions.setdefault(question.urn, question)

    for path, question in iter_questions(document):
        dep = question.depends_on
        if dep is None:
            continue
        target = questions.get(dep.question)
        if target is None:
            problems.append(
                (f"{path}.depends_on.question", f"no question {dep.question!r} in this version")
            )
        elif target.urn == question.urn:
            problems.append((f"{path}.depends_on.question", "a question cannot depend on itself"))
        elif not target.choices:
            problems.append(
                (f"{path}.depends_on.question", f"{dep.question!r} has no choices to depend on")
            )
        else:
            keys = {c.key for c in target.choices}
            for index, answer in enumerate(dep.answers):
                if answer not in keys:
                    problems.append(
                        (
                            f"{path}.depends_on.answers[{index}]",
                            f"{answer!r} is not a choice of {dep.question!r} ({', '.join(sorted(keys))})",
                        )
                    )
    return problems


def format_loc(loc: tuple[Any, ...]) -> str:
    """``('sections', 2, 'provisions', 0, 'type')`` → ``sections[2].provisions[0].type``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # pydantic names aliased fields and model-validator branches; keep only real keys.
            name = {"not_": "not", "is_": "is"}.get(str(part), str(part))
            out += f".{name}" if out else name
    return out
