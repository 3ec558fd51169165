"""Many questionnaires at once, for the portfolio dashboard."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q as models_Q
from django.utils import timezone

from assessments.models import (
    ACTION_OPEN_STATUSES,
    Action,
    Answer,
    Assessment,
    AssessmentFramework,
    Evidence,
)
from frameworks.selectors import version_content_list

from .questionnaire import Questionnaire, _assemble

# --- Many questionnaires at once (portfolio dashboard) ---------------------------------------


def questionnaire_build_many(*, assessments: list[Assessment]) -> dict[int, Questionnaire]:
    """The questionnaires of many assessments, by assessment id, in a constant number of queries.

    Pins, answers and evidence of all the assessments are read in three queries, framework
    content once (then from memory); each questionnaire is then assembled as
    :func:`questionnaire_build` does. Example: the 50 assessments of an organisation's
    portfolio cost the same few queries as one. Applicability is evaluated once per distinct
    scoping profile and framework version within the call (``_assemble``'s memo), so 50
    assessments sharing one profile evaluate each provision once.
    """
    if not assessments:
        return {}
    ids = [a.pk for a in assessments]
    pins_by: dict[int, list[AssessmentFramework]] = defaultdict(list)
    for pin in (
        AssessmentFramework.objects.filter(assessment_id__in=ids)
        .select_related("version", "framework")
        .order_by("order", "id")
    ):
        pins_by[pin.assessment_id].append(pin)
    versions = {pin.version_id: pin.version for pins in pins_by.values() for pin in pins}
    # All the versions' content at once, split by version: no query per assessment, cached or not.
    content: dict[int, tuple[list, list, list]] = {pk: ([], [], []) for pk in versions}
    for index, rows in enumerate(version_content_list(versions=list(versions.values()))):
        for row in rows:
            content[row.version_id][index].append(row)
    answers_by: dict[int, dict[int, Answer]] = defaultdict(dict)
    for answer in Answer.objects.filter(assessment_id__in=ids):
        answers_by[answer.assessment_id][answer.question_id] = answer
    evidence_by: dict[int, dict[int, list[Evidence]]] = defaultdict(lambda: defaultdict(list))
    for item in Evidence.objects.filter(answer__assessment_id__in=ids).select_related("answer"):
        evidence_by[item.answer.assessment_id][item.answer_id].append(item)
    result = {}
    for assessment in assessments:
        pins = pins_by.get(assessment.pk, [])
        sections, provisions, questions = [], [], []
        for pin in pins:
            version_sections, version_provisions, version_questions = content[pin.version_id]
            sections += version_sections
            provisions += version_provisions
            questions += version_questions
        # Answers to an older version's questions (kept after an upgrade) are history, not shown.
        question_ids = {q.pk for q in questions}
        answers = {
            qid: a for qid, a in answers_by.get(assessment.pk, {}).items() if qid in question_ids
        }
        result[assessment.pk] = _assemble(
            assessment,
            pins,
            sections,
            provisions,
            questions,
            answers,
            evidence_by.get(assessment.pk, {}),
        )
    return result


def action_counts_by_assessment(
    *, assessment_ids: list[int], today: dt.date | None = None
) -> dict[int, dict[str, int]]:
    """Per assessment: how many actions are in each status, and how many are overdue (one query)."""
    from django.db.models import Count

    from assessments.models import ActionStatus

    today = today or timezone.localdate()
    counts: dict[int, dict[str, int]] = {
        pk: {**{s: 0 for s in ActionStatus.values}, "overdue": 0} for pk in assessment_ids
    }
    rows = (
        Action.objects.filter(assessment_id__in=assessment_ids)
        .values("assessment_id", "status")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=models_Q(status__in=ACTION_OPEN_STATUSES, due_date__lt=today)),
        )
    )
    for row in rows:
        counts[row["assessment_id"]][row["status"]] += row["n"]
        counts[row["assessment_id"]]["overdue"] += row["late"]
    return counts
