"""The readable history: labels, diffs and folded bursts of autosaves."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from assessments.answer_values import answer_value_labels
from assessments.models import (
    Assessment,
    AssessmentFramework,
    AssessmentStatus,
    ReviewStatus,
)
from frameworks.models import Question
from portal.models import AuditEvent, AuditEventType

from .upgrades import assessment_history_list

# --- Readable history ------------------------------------------------------------------------

#: Autosaves by one person on one question closer together than this read as one change.
HISTORY_BURST = dt.timedelta(minutes=5)


@dataclass
class HistoryChange:
    """One field of a change, as a reader reads it: "Answer: Partly → Yes"."""

    label: str
    before: str
    after: str
    #: For free text: ``[(op, text)]`` with op "=", "-" or "+", word by word.
    diff: list[tuple[str, str]] | None = None


@dataclass
class HistoryEntry:
    """One line of the history page: one event, or a burst of autosaves read as one.

    Example: officer, 10:02–10:04, "Answer saved" ×3 on "Do you publish a contact point?":
    Answer: — → Yes; Comment: "Drafted" → "Drafted, approved by legal".
    """

    occurred_at: dt.datetime
    first_at: dt.datetime
    actor_name: str
    event_type: str
    event_label: str
    subject: str
    question: Question | None
    changes: list[HistoryChange]
    count: int = 1


def _text_diff(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.split(), after.split()
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if op == "equal":
            parts.append(("=", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("-", " ".join(old[i1:i2])))
        if j2 > j1:
            parts.append(("+", " ".join(new[j1:j2])))
    return parts


def _plain(value: Any) -> str:
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, bool):
        return _("yes") if value else ""  # "not applicable: yes → —" reads better than "no"
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)


def _history_changes(event: AuditEvent, question: Question | None, language: str) -> list:
    before, after = event.before or {}, event.after or {}
    labels = {
        "value": _("Answer"),
        "not_applicable": _("Not applicable"),
        "justification": _("Justification"),
        "comment": _("Comment"),
        "status": _("Status"),
        "reason": _("Reason"),
        "statement": _("Statement"),
        "text": _("Comment"),
        "name": _("File"),
        "version": _("Version"),
        "language": _("Language"),
        "scoping": _("Scope"),
    }
    free_text = {"justification", "comment", "reason", "statement", "text"}
    changes = []
    keys = [k for k in labels if k in before or k in after]
    if event.event_type == AuditEventType.ASSESSMENT_SCOPING_CHANGED:
        keys = sorted(set(before) | set(after))
    for key in keys:
        old, new = before.get(key), after.get(key)
        if old == new and key != "name":
            continue
        if key == "value" and question is not None:
            old_text = answer_value_labels(question, old, language)
            new_text = answer_value_labels(question, new, language)
        elif key == "status":
            old_text, new_text = _status_label(old), _status_label(new)
        else:
            old_text, new_text = _plain(old), _plain(new)
        if old_text == new_text and key != "name":
            continue
        diff = (
            _text_diff(old_text, new_text) if key in free_text and old_text and new_text else None
        )
        changes.append(HistoryChange(str(labels.get(key, key)), old_text, new_text, diff))
    return changes


def _status_label(value: Any) -> str:
    for choices in (AssessmentStatus, ReviewStatus):
        if value in choices.values:
            return str(choices(value).label)
    return _plain(value)


def _event_label(event_type: str) -> str:
    try:
        return str(AuditEventType(event_type).label)
    except ValueError:
        return event_type


def history_entry_list(
    *, assessment: Assessment, events: QuerySet[AuditEvent], language: str
) -> list[HistoryEntry]:
    """The history as people read it: question texts instead of URNs, answer labels instead of
    keys, word diffs of comments, event names in ``language``, and consecutive autosaves by one
    person on one question within :data:`HISTORY_BURST` folded into one entry (the log itself
    is untouched). Two queries: the events and their questions.
    """
    rows = list(events)
    urns = {e.subject for e in rows if e.subject}
    questions: dict[str, Question] = {}
    if urns:
        pinned = set(
            AssessmentFramework.objects.filter(assessment=assessment).values_list(
                "version_id", flat=True
            )
        )
        # A URN names the same question across versions; prefer the pinned version's wording.
        for question in Question.objects.filter(urn__in=urns).order_by("-version_id"):
            if question.urn not in questions or question.version_id in pinned:
                questions[question.urn] = question
    entries: list[HistoryEntry] = []
    # Rows are newest first: fold an older autosave into the entry above it when it continues it.
    group: list[AuditEvent] = []

    def flush() -> None:
        if not group:
            return
        newest, oldest = group[0], group[-1]
        question = questions.get(newest.subject)
        merged = AuditEvent(event_type=newest.event_type, before=oldest.before, after=newest.after)
        entries.append(
            HistoryEntry(
                occurred_at=newest.occurred_at,
                first_at=oldest.occurred_at,
                actor_name=newest.actor_name,
                event_type=newest.event_type,
                event_label=_event_label(newest.event_type),
                subject=newest.subject,
                question=question,
                changes=_history_changes(merged, question, language),
                count=len(group),
            )
        )
        group.clear()

    for event in rows:
        if group:
            last = group[-1]
            continues = (
                event.event_type == AuditEventType.ANSWER_SAVED
                and last.event_type == AuditEventType.ANSWER_SAVED
                and event.actor_name == last.actor_name
                and event.subject == last.subject
                and last.occurred_at - event.occurred_at <= HISTORY_BURST
            )
            if not continues:
                flush()
        group.append(event)
    flush()
    return entries


def history_filter_choices(*, assessment: Assessment, language: str = "ja") -> dict[str, list]:
    """The people and questions that appear in the assessment's history, for the filters:
    ``{"people": ["auditor", "officer"], "subjects": [(urn, question text), …]}``."""
    events = assessment_history_list(assessment=assessment).order_by()
    people = sorted(set(events.exclude(actor_name="").values_list("actor_name", flat=True)))
    urns = set(events.exclude(subject="").values_list("subject", flat=True))
    prompts: dict[str, str] = {}
    field_name = "prompt_en" if language.startswith("en") else "prompt_ja"
    for urn, prompt in (
        Question.objects.filter(urn__in=urns).order_by("version_id").values_list("urn", field_name)
    ):
        prompts[urn] = prompt
    subjects = sorted(((urn, prompts.get(urn, urn)) for urn in urns), key=lambda s: s[1])
    return {"people": people, "subjects": subjects}
