"""Saving many answers at once, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.models import (
    Answer,
    Assessment,
)
from frameworks.models import Question
from portal.models import User
from portal.services import audit_record_many

from ._shared import AnswerConflictError, _refuse_if_locked
from .answers import AnswerInput, _answer_apply, _answer_event, _answer_snapshot


@dataclass(frozen=True)
class ItemError:
    """Why one item of a bulk save was refused.

    Example: ``ItemError(index=3, field="value", message="Choose one of the offered answers.",
    code="invalid")``; the API shows it as ``items[3].value``.
    """

    index: int
    field: str
    message: str
    code: str = "invalid"


class BulkAnswerError(Exception):
    """Some items of a bulk save were refused; nothing was written. ``errors`` lists them by item."""

    def __init__(self, errors: list[ItemError]):
        self.errors = errors
        super().__init__(f"{len(errors)} item(s) refused")

    @property
    def is_conflict(self) -> bool:
        """Every refusal is a stale revision: the caller should reload and retry (HTTP 409)."""
        return all(e.code == "conflict" for e in self.errors)


@transaction.atomic
def answers_bulk_save(
    *, actor: User, assessment: Assessment, items: list[tuple[int, AnswerInput]]
) -> list[Answer]:
    """Save many answers at once, all or nothing: one refused item and none is written.

    ``items`` are ``(question_id, AnswerInput)``; the errors of every refused item are
    collected (``items[3].value: Choose one of the offered answers.``). A constant number of
    queries whatever the number of items: questions, answers, one insert, one update, one
    insert into the audit log.
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    ids = [question_id for question_id, _data in items]
    questions = {
        q.pk: q
        for q in Question.objects.filter(
            pk__in=ids, version__assessment_pins__assessment=assessment
        )
    }
    answers = {
        a.question_id: a
        for a in Answer.objects.select_for_update().filter(
            assessment=assessment, question_id__in=ids
        )
    }
    for answer in answers.values():
        answer.question = (
            questions.get(answer.question_id) or answer.question
        )  # no query per answer later
    errors: list[ItemError] = []
    changed: list[tuple[Answer, dict | None, Question]] = []
    unchanged: list[Answer] = []
    seen: set[int] = set()
    for index, (question_id, data) in enumerate(items):
        if question_id in seen:
            errors.append(
                ItemError(
                    index, "question", _("This question appears twice in the request."), "duplicate"
                )
            )
            continue
        seen.add(question_id)
        question = questions.get(question_id)
        if question is None:
            errors.append(
                ItemError(index, "question", _("This question is not part of the assessment."))
            )
            continue
        try:
            applied = _answer_apply(
                actor=actor,
                question=question,
                answer=answers.get(question_id),
                assessment=assessment,
                data=data,
            )
        except AnswerConflictError as exc:
            errors.append(
                ItemError(
                    index,
                    "revision",
                    _("This answer changed meanwhile (now at revision %(n)d).")
                    % {"n": exc.current_revision},
                    "conflict",
                )
            )
            continue
        except ValidationError as exc:
            for field, messages in (
                exc.message_dict.items()
                if hasattr(exc, "error_dict")
                else [("value", exc.messages)]
            ):
                errors.extend(ItemError(index, field, message) for message in messages)
            continue
        if applied is None:
            unchanged.append(answers[question_id])
        else:
            changed.append((applied[0], applied[1], question))
    if errors:
        raise BulkAnswerError(errors)
    new = [a for a, before, _q in changed if a.pk is None]
    old = [a for a, before, _q in changed if a.pk is not None]
    Answer.objects.bulk_create(new)
    Answer.objects.bulk_update(
        old,
        [
            "value",
            "not_applicable",
            "justification",
            "comment",
            "needs_review",
            "reconfirm_required",
            "revision",
            "updated_by",
            "updated_at",
        ],
    )
    if changed:
        Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
        audit_record_many(
            [
                dict(
                    actor=actor,
                    event_type=_answer_event(before, a),
                    obj=a,
                    before=before,
                    after=_answer_snapshot(a),
                    organisation=assessment.organisation,
                    context=assessment,
                    subject=q.urn,
                )
                for a, before, q in changed
            ]
        )
    return [a for a, _b, _q in changed] + unchanged
