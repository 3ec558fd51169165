"""Rolling an assessment forward: next year's review starts from this year's (issue 12)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from assessments.answer_values import answer_value_clean
from assessments.models import (
    ACTION_OPEN_STATUSES,
    Action,
    Answer,
    Assessment,
    Evidence,
)
from assessments.scoping import ScopingProfile
from assessments.selectors import pins_of
from frameworks.models import Provision, Question
from frameworks.selectors import framework_versions_latest_published_by_urn, version_content_list
from portal.models import AuditEventType, User
from portal.services import audit_record_many

from ._shared import _audit
from .creation import assessment_create

# --- Roll-forward ----------------------------------------------------------------------------

#: The fields of an evidence row that a link shares with the row it links: the same stored file.
_EVIDENCE_SHARED = ("original_name", "stored_name", "content_type", "size", "sha256")


@dataclass
class RollForwardResult:
    """What a roll-forward carried, for the audit row and the message shown to the officer.

    Example: 41 answers copied to re-confirm, 12 files linked, 3 open actions moved; not
    carried: ``urn:…:q:pi-channels`` (its choice "paper" no longer exists) and
    ``urn:…:q:old-question`` (gone from the newer version).
    """

    assessment: Assessment
    answers: int = 0
    evidence: int = 0
    actions: int = 0
    #: URNs of the previous answers that were not copied: the question is gone, or the stored
    #: value is no longer valid for it (a removed choice, a changed type).
    not_carried: list[str] = field(default_factory=list)


@transaction.atomic
def assessment_roll_forward(*, actor: User, previous: Assessment, name: str) -> RollForwardResult:
    """A new assessment of ``previous``'s organisation that starts from ``previous``.

    - It pins the newest published version of each framework ``previous`` pins (as a new
      assessment would) and copies its scoping.
    - Each answer whose question URN still exists, with a value still valid for that question,
      is copied with ``reconfirm_required``: shown, but not counted as answered until a person
      saves it (changed or unchanged). Other answers are listed in ``not_carried``.
    - Evidence is linked, not copied: new rows naming the same stored file and SHA-256
      (deleting one link never deletes the file, see :func:`evidence_delete`).
    - Open actions (open, in progress) *move* to the new assessment, their links remapped by
      URN to the new versions: one action keeps one owner, one history and one reminder; the
      previous assessment's reports already froze its action plan. Done and risk-accepted
      actions stay with ``previous``.

    The caller has checked that ``actor`` may create assessments in the organisation and read
    ``previous`` (``access_organisation_for_create`` and ``access_assessment``). A constant
    number of queries whatever the number of answers, files and actions.
    """
    old_pins = pins_of(previous)
    latest = framework_versions_latest_published_by_urn(urns=[p.framework.urn for p in old_pins])
    versions = [latest[p.framework.urn] for p in old_pins if p.framework.urn in latest]
    if not versions:
        raise ValidationError(
            {"previous": _("None of the frameworks of that assessment has a published version.")}
        )
    # Facts the profile no longer knows are dropped rather than refused: the scope is a start.
    known = {k: v for k, v in (previous.scoping or {}).items() if k in ScopingProfile.model_fields}
    try:
        scoping = ScopingProfile.model_validate(known)
    except PydanticError:
        raise ValidationError(
            {"previous": _("The scope of that assessment is no longer valid: start from scratch.")}
        ) from None
    assessment = assessment_create(
        actor=actor,
        organisation=previous.organisation,
        name=name,
        versions=versions,
        scoping=scoping,
    )
    assessment.previous = previous
    Assessment.objects.filter(pk=assessment.pk).update(previous=previous)
    result = RollForwardResult(assessment)

    _sections, provisions, questions = version_content_list(versions=versions)
    questions_by_urn = {q.urn: q for q in questions}
    old_answers = list(
        Answer.objects.filter(
            assessment=previous, question__version_id__in=[p.version_id for p in old_pins]
        )
        .select_related("question")
        .order_by("question__order", "id")
    )
    copies: list[tuple[Answer, Answer]] = []
    for old in old_answers:
        question = questions_by_urn.get(old.question.urn)
        value = _carried_value(question, old) if question is not None else _GONE
        if value is _GONE:
            result.not_carried.append(old.question.urn)
            continue
        copy = Answer(
            assessment=assessment,
            question=question,
            value=value,
            not_applicable=old.not_applicable,
            justification=old.justification,
            comment=old.comment,
            reconfirm_required=True,
            updated_by=actor,
        )
        # The rows were just read; checking each foreign key again would cost a query per answer.
        copy.full_clean(
            exclude=["assessment", "question", "updated_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        copies.append((old, copy))
    Answer.objects.bulk_create([copy for _old, copy in copies])
    result.answers = len(copies)

    new_answer_of = {old.pk: copy for old, copy in copies}
    links = [
        Evidence(
            answer=new_answer_of[item.answer_id],
            uploaded_by_id=item.uploaded_by_id,
            **{name: getattr(item, name) for name in _EVIDENCE_SHARED},
        )
        for item in Evidence.objects.filter(answer_id__in=new_answer_of).order_by("id")
    ]
    Evidence.objects.bulk_create(links)
    result.evidence = len(links)

    result.actions = _actions_move(
        actor=actor,
        previous=previous,
        assessment=assessment,
        questions_by_urn=questions_by_urn,
        provisions_by_urn={p.urn: p for p in provisions},
    )
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_ROLLED_FORWARD,
        assessment=assessment,
        before={"previous": previous.pk, "previous_name": previous.name},
        after={
            "answers_to_reconfirm": result.answers,
            "evidence_linked": result.evidence,
            "actions_carried_over": result.actions,
            "not_carried": result.not_carried,
        },
    )
    return result


_GONE = object()


def _carried_value(question: Question, answer: Answer):
    """The previous answer's value as ``question`` stores it, or ``_GONE`` when it no longer
    fits (a choice that was removed, a changed type)."""
    if answer.not_applicable:
        return None
    try:
        return answer_value_clean(question, answer.value)
    except ValidationError:
        return _GONE


def _actions_move(
    *,
    actor: User,
    previous: Assessment,
    assessment: Assessment,
    questions_by_urn: dict[str, Question],
    provisions_by_urn: dict[str, Provision],
) -> int:
    """Move the open actions of ``previous`` to ``assessment``; links to questions and provisions
    follow their URN into the new versions (a link whose URN is gone is dropped)."""
    actions = list(
        Action.objects.select_for_update()
        .filter(assessment=previous, status__in=ACTION_OPEN_STATUSES)
        .order_by("id")
    )
    if not actions:
        return 0
    ids = [a.pk for a in actions]
    for relation, by_urn, column in (
        (Action.questions.through, questions_by_urn, "question"),
        (Action.provisions.through, provisions_by_urn, "provision"),
    ):
        old_links = list(
            relation.objects.filter(action_id__in=ids).values_list("action_id", f"{column}__urn")
        )
        relation.objects.filter(action_id__in=ids).delete()
        relation.objects.bulk_create(
            [
                relation(action_id=action_id, **{f"{column}_id": by_urn[urn].pk})
                for action_id, urn in old_links
                if urn in by_urn
            ],
            ignore_conflicts=True,  # two old links may name one URN: keep one
        )
    Action.objects.filter(pk__in=ids).update(assessment=assessment, updated_at=timezone.now())
    audit_record_many(
        [
            dict(
                actor=actor,
                event_type=AuditEventType.ACTION_CARRIED_OVER,
                obj=action,
                before={"assessment": previous.pk},
                after={"assessment": assessment.pk},
                organisation=assessment.organisation,
                context=assessment,
            )
            for action in actions
        ]
    )
    return len(actions)
