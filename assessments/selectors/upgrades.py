"""The raw history and upgrade plans."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from assessments.models import (
    Answer,
    Assessment,
    AssessmentFramework,
)
from frameworks.choices import VersionStatus
from frameworks.models import NEWEST_FIRST, FrameworkVersion, Question, Section
from portal.models import AuditEvent

# --- History and upgrades --------------------------------------------------------------------


def assessment_history_list(
    *,
    assessment: Assessment,
    subject: str | None = None,
    actor_name: str | None = None,
    event_type: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit rows of one assessment, newest first, optionally filtered by question URN,
    person (their recorded name), kind of event and day (``date_to`` included)."""
    events = AuditEvent.objects.filter(
        context_type="assessments.assessment", context_id=str(assessment.pk)
    )
    if subject:
        events = events.filter(subject=subject)
    if actor_name:
        events = events.filter(actor_name=actor_name)
    if event_type:
        events = events.filter(event_type=event_type)
    if date_from:
        events = events.filter(occurred_at__date__gte=date_from)
    if date_to:
        events = events.filter(occurred_at__date__lte=date_to)
    return events.order_by("-occurred_at", "-id")


def _newness(version: FrameworkVersion) -> tuple:
    """A sort key matching :data:`frameworks.models.NEWEST_FIRST` (bigger is newer)."""
    return (version.effective_date is None, version.effective_date or dt.date.min)


def pin_get(*, assessment: Assessment, framework_urn: str) -> AssessmentFramework | None:
    """The assessment's pin of the framework ``framework_urn``, if it pins that framework."""
    return (
        AssessmentFramework.objects.select_related("version", "framework")
        .filter(assessment=assessment, framework__urn=framework_urn)
        .first()
    )


def framework_version_upgrade_target(*, pin: AssessmentFramework) -> FrameworkVersion | None:
    """The newest published version of the pinned framework, if it is newer than the pin."""
    latest = (
        FrameworkVersion.objects.filter(
            framework_id=pin.framework_id, status=VersionStatus.PUBLISHED
        )
        .order_by(*NEWEST_FIRST)
        .first()
    )
    # Undated (reported) versions count as newest, as in NEWEST_FIRST; compare on that key.
    if latest is None or latest.pk == pin.version_id or _newness(latest) < _newness(pin.version):
        return None
    return latest


QUESTION_CONTENT_FIELDS = [
    "type",
    "prompt_ja",
    "prompt_en",
    "help_ja",
    "help_en",
    "choices",
    "weight",
    "required",
    "depends_on_urn",
    "depends_on_answers",
]


@dataclass
class UpgradePlan:
    pin: AssessmentFramework
    target: FrameworkVersion
    unchanged: list[tuple[Question, Question]]
    changed: list[tuple[Question, Question]]
    removed: list[Question]
    added: list[Question]
    answered_urns: set[str]

    def answered(self, question: Question) -> bool:
        return question.urn in self.answered_urns


def upgrade_plan_get(
    *, assessment: Assessment, pin: AssessmentFramework, target: FrameworkVersion
) -> UpgradePlan:
    """What an upgrade of one pin to ``target`` would do to each question, matched by URN."""
    old = {
        q.urn: q for q in Question.objects.filter(version_id=pin.version_id).order_by("order", "id")
    }
    new = {q.urn: q for q in Question.objects.filter(version=target).order_by("order", "id")}
    unchanged, changed = [], []
    for urn, question in new.items():
        if urn in old:
            same = all(
                getattr(old[urn], f) == getattr(question, f) for f in QUESTION_CONTENT_FIELDS
            )
            (unchanged if same else changed).append((old[urn], question))
    answered = set(
        Answer.objects.filter(
            assessment=assessment, question__version_id=pin.version_id
        ).values_list("question__urn", flat=True)
    )
    return UpgradePlan(
        pin,
        target,
        unchanged,
        changed,
        [q for urn, q in old.items() if urn not in new],
        [q for urn, q in new.items() if urn not in old],
        answered,
    )


def choice_label(question: Question, key: str, language: str) -> str:
    for choice in question.choices:
        if choice["key"] == key:
            return choice["label_en" if language.startswith("en") else "label_ja"]
    return key


# --- Old section links after an upgrade -------------------------------------------------------


@dataclass(frozen=True)
class SectionMove:
    """Where a link to a section of a version the assessment no longer pins leads now.

    Example: a bookmark to chapter ``ch2`` of the APPI 2025.1, after the assessment moved to
    2025.2: ``old`` is 2025.1's ``ch2``, ``pin`` the APPI pin (now 2025.2), ``section`` 2025.2's
    ``ch2`` (matched by its key, which stays the same across versions like a URN), or ``None``
    when 2025.2 dropped that chapter.
    """

    old: Section
    pin: AssessmentFramework
    section: Section | None


def section_move_get(*, assessment: Assessment, section_id: int) -> SectionMove | None:
    """The move of section ``section_id`` into the version the assessment pins now, or ``None``
    when the section is not a published (or retired) section of a framework the assessment pins
    at another version: then the link was never the assessment's, and the caller answers 404.

    Call it only after the section was not found in the questionnaire: two or three queries,
    none on the ordinary path.
    """
    old = (
        Section.objects.select_related("version")
        .filter(pk=section_id)
        .exclude(version__status=VersionStatus.DRAFT)  # a draft's headings are not shown to members
        .first()
    )
    if old is None:
        return None
    pin = (
        AssessmentFramework.objects.select_related("version")
        .filter(assessment=assessment, framework_id=old.version.framework_id)
        .exclude(version_id=old.version_id)
        .first()
    )
    if pin is None:
        return None
    section = Section.objects.filter(version_id=pin.version_id, key=old.key).first()
    return SectionMove(old=old, pin=pin, section=section)
