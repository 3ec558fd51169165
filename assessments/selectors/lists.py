"""Plain lists and lookups of assessments, answers, evidence and pins."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from assessments.models import (
    Answer,
    Assessment,
    AssessmentFramework,
    Evidence,
)
from frameworks.models import Question
from portal.models import Membership, Organisation, User


def assessment_list(
    *, organisation: Organisation | None = None, user: User | None = None
) -> QuerySet[Assessment]:
    """The assessments of one organisation, or of every organisation ``user`` belongs to.

    Pins come prefetched with their framework and version, newest change first.
    """
    pins = AssessmentFramework.objects.select_related("version", "framework").order_by(
        "order", "id"
    )
    assessments = Assessment.objects.all()
    if organisation is not None:
        assessments = assessments.filter(organisation=organisation)
    if user is not None:
        assessments = assessments.filter(
            organisation_id__in=Membership.objects.filter(user=user).values("organisation_id")
        )
    return assessments.prefetch_related(Prefetch("pins", queryset=pins)).order_by(
        "-updated_at", "-id"
    )


def assessment_get(*, pk: int) -> Assessment:
    """One assessment with its pins (framework and version) loaded, for the API's output."""
    return assessment_list().get(pk=pk)


def answer_list(*, assessment: Assessment, with_comment: bool = False) -> QuerySet[Answer]:
    """The current answers: those to questions of the pinned versions (not the history kept on
    the questions of versions upgraded away from), in questionnaire order. With
    ``with_comment`` only the answers that carry a comment."""
    pinned = AssessmentFramework.objects.filter(assessment=assessment).values("version_id")
    answers = Answer.objects.filter(assessment=assessment, question__version_id__in=pinned)
    if with_comment:
        answers = answers.exclude(comment="").select_related("updated_by")
    return answers.select_related("question").order_by("question__order", "id")


def evidence_list(*, assessment: Assessment, question: Question) -> QuerySet[Evidence]:
    return Evidence.objects.filter(
        answer__assessment=assessment, answer__question=question
    ).select_related("answer")


def pins_of(assessment: Assessment) -> list[AssessmentFramework]:
    return list(
        AssessmentFramework.objects.filter(assessment=assessment)
        .select_related("version", "framework")
        .order_by("order", "id")
    )


#: Pins by (assessment, revision, creation time), per process: see pins_of_revision.
_PINS_OF_REVISION: dict[tuple, list[AssessmentFramework]] = {}
_PINS_OF_REVISION_SIZE = 1024


def pins_of_revision(assessment: Assessment) -> list[AssessmentFramework]:
    """The assessment's pins at the revision ``assessment`` was read at, read once per process.

    The pins change only with the revision: the upgrade, the only service that changes a pin,
    moves the revision in the same transaction (and the autosave's service already believes the
    pins by the revision, see ``answer_autosave``). So the autosave, which runs for every answer
    a person types, reads them once per assessment and revision instead of on every save. The
    creation time is part of the key so that a test database reusing ids never hits an entry of
    an earlier row. Treat the returned rows as read-only: they are shared between requests.

    Example: two saves of assessment 7 at revision 3 read its pins once; after an upgrade
    (revision 4) the next save reads them again.
    """
    key = (assessment.pk, assessment.revision, assessment.created_at)
    pins = _PINS_OF_REVISION.get(key)
    if pins is None:
        pins = pins_of(assessment)
        if len(_PINS_OF_REVISION) >= _PINS_OF_REVISION_SIZE:  # a bound for a long-lived worker
            _PINS_OF_REVISION.clear()
        _PINS_OF_REVISION[key] = pins
    return pins
