"""Saving one answer."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.answer_values import answer_value_clean
from assessments.models import (
    LOCKED_STATUSES,
    Answer,
    Assessment,
)
from frameworks.models import Question
from portal.models import AuditEventType, User

from ._shared import AnswerConflictError, _audit, _refuse_if_locked

# --- Answers ---------------------------------------------------------------------------------


def _answer_snapshot(answer: Answer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "value": answer.value,
        "not_applicable": answer.not_applicable,
        "justification": answer.justification,
        "comment": answer.comment,
        "revision": answer.revision,
        "reconfirm_required": answer.reconfirm_required,
    }


def _answer_event(before: dict[str, Any] | None, answer: Answer) -> AuditEventType:
    """``answer.reconfirmed`` when a person saved a rolled-forward answer without changing it
    (the "Confirm unchanged" button), ``answer.saved`` for every other save."""
    if before is not None and before["reconfirm_required"] and not answer.reconfirm_required:
        after = _answer_snapshot(answer)
        fields = ("value", "not_applicable", "justification", "comment")
        if all(before[f] == after[f] for f in fields):
            return AuditEventType.ANSWER_RECONFIRMED
    return AuditEventType.ANSWER_SAVED


@dataclass(frozen=True)
class AnswerInput:
    """What the officer sent for one question; ``revision`` is the answer revision the page showed (0: none)."""

    value: Any = None
    comment: str = ""
    not_applicable: bool = False
    justification: str = ""
    revision: int | None = None


def _question_of(assessment: Assessment, question_id: int) -> Question:
    question = (
        Question.objects.select_related("provision")
        .filter(pk=question_id, version__assessment_pins__assessment=assessment)
        .first()
    )
    if question is None:
        raise ValidationError({"question": _("This question is not part of the assessment.")})
    return question


def _answer_apply(
    *,
    actor: User,
    question: Question,
    answer: Answer | None,
    assessment: Assessment,
    data: AnswerInput,
) -> tuple[Answer, dict | None] | None:
    """Validate ``data`` for ``question`` and apply it to ``answer`` (or a new one), without saving.

    Returns ``(answer, before)``, or None when nothing would change. Raises ValidationError
    naming the field, or AnswerConflictError when the answer moved past ``data.revision``.
    """
    value = answer_value_clean(question, data.value)
    justification = (data.justification or "").strip()
    comment = (data.comment or "").strip()
    if data.not_applicable and not justification:
        raise ValidationError({"justification": _("Say why this question does not apply to you.")})
    if len(comment) > 10_000 or len(justification) > 10_000:
        raise ValidationError({"comment": _("Keep comments under 10,000 characters.")})
    if data.revision is not None and (answer.revision if answer else 0) != data.revision:
        raise AnswerConflictError(answer)
    before = _answer_snapshot(answer)
    new_value = None if data.not_applicable else value
    new_justification = justification if data.not_applicable else ""
    if (
        answer is not None
        and not answer.needs_review
        and not answer.reconfirm_required  # saving it unchanged is how a person confirms it
        and (answer.value, answer.not_applicable, answer.justification, answer.comment)
        == (new_value, data.not_applicable, new_justification, comment)
    ):
        return None  # nothing changed: no new revision, no audit row
    if answer is None:
        answer = Answer(assessment=assessment, question=question, revision=1)
    else:
        answer.revision += 1
    answer.value = new_value
    answer.not_applicable = data.not_applicable
    answer.justification = new_justification
    answer.comment = comment
    answer.needs_review = False
    answer.reconfirm_required = False
    answer.updated_by = actor
    answer.updated_at = timezone.now()
    # The related rows were just loaded and uniqueness per question is guaranteed by the caller
    # (and the database constraint): validating them again would cost queries per answer.
    answer.full_clean(
        exclude=["assessment", "question", "updated_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    return answer, before


_ORGANISATION_OF = Assessment.organisation.field


@dataclass(frozen=True)
class AnswerSaved:
    """One save of one answer: the answer as stored, and as it was before (``previous``, None
    when there was none). Example: the first "yes" to a question gives ``previous=None``; a
    comment added later gives a ``previous`` with the same value and the earlier comment."""

    answer: Answer
    previous: Answer | None


def answer_save(
    *,
    actor: User,
    assessment: Assessment,
    question_id: int,
    data: AnswerInput,
    question: Question | None = None,
) -> Answer:
    """Create or update the answer to one question; :func:`answer_autosave` without the answer
    as it was. Example: ``answer_save(actor=u, assessment=a, question_id=q.pk,
    data=AnswerInput(value="yes"))``."""
    return answer_autosave(
        actor=actor, assessment=assessment, question_id=question_id, data=data, question=question
    ).answer


@transaction.atomic
def answer_autosave(
    *,
    actor: User,
    assessment: Assessment,
    question_id: int,
    data: AnswerInput,
    question: Question | None = None,
) -> AnswerSaved:
    """Create or update the answer to one question (the autosave path), and say what it was, so
    that the page answers with only what the save changed.

    Any save by a person confirms an answer copied by a roll-forward, also one that changes
    nothing ("Confirm unchanged"): the revision moves on and the audit row says
    ``answer.reconfirmed``.

    ``question`` is the question ``question_id`` as the caller already read it from the pinned
    versions of ``assessment`` (the autosave's pinned content), so that it is not read again.
    It is believed only while the assessment's revision is the one the caller read: the
    upgrade, the only change of the pins, moves the revision, and then the question is read
    again under the lock. Example: ``answer_autosave(actor=u, assessment=a, question_id=q.pk,
    question=q, data=AnswerInput(value="yes")).previous``.

    Raises ValidationError naming the field, AssessmentLockedError, or
    AnswerConflictError when the answer moved past ``data.revision``.
    """
    # The assessment row alone is locked (not its organisation: saves of one organisation's
    # assessments do not queue behind each other). One statement locks it, checks that it is
    # still open at the revision the caller read, and touches its updated_at: then the caller's
    # row is the row, and is not read again. Otherwise (locked, or changed meanwhile: rare) it is
    # read under the lock, refused or believed from there, and touched after the save.
    touched = (
        Assessment.objects.filter(pk=assessment.pk, revision=assessment.revision)
        .exclude(status__in=LOCKED_STATUSES)
        .update(updated_at=timezone.now())
    )
    if not touched:
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if _ORGANISATION_OF.is_cached(assessment):
            locked.organisation = assessment.organisation
        _refuse_if_locked(locked)
        if locked.revision != assessment.revision:
            question = None  # the pins may have changed: read the question again
        assessment = locked
    if question is None or question.pk != question_id:
        question = _question_of(assessment, question_id)
    answer = (
        Answer.objects.select_for_update().filter(assessment=assessment, question=question).first()
    )
    # A copy, since applying the input changes the instance: the caller compares the two.
    previous = copy.copy(answer) if answer is not None else None
    applied = _answer_apply(
        actor=actor, question=question, answer=answer, assessment=assessment, data=data
    )
    if applied is None:
        transaction.set_rollback(True)  # nothing changed: not even the assessment's updated_at
        return AnswerSaved(answer, previous)
    answer, before = applied
    answer.save()
    if not touched:
        Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
    _audit(
        actor=actor,
        event=_answer_event(before, answer),
        assessment=assessment,
        obj=answer,
        before=before,
        after=_answer_snapshot(answer),
        subject=question.urn,
    )
    return AnswerSaved(answer, previous)
