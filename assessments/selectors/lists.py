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
