"""Assignments and My work."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    Assessment,
    Assignment,
)
from frameworks.models import Provision, Question, Section
from frameworks.selectors import version_content_list
from portal.models import Membership, User

from .lists import pins_of
from .portfolio import questionnaire_build_many
from .questionnaire import Questionnaire

# --- Assignments -----------------------------------------------------------------------------


def _section_question_ids(
    sections: list[Section], provisions: list[Provision], questions: list[Question]
) -> dict[int, set[int]]:
    """Each section's questions, its subsections' included."""
    children: dict[int, list[int]] = defaultdict(list)
    for section in sections:
        if section.parent_id:
            children[section.parent_id].append(section.pk)
    provision_section = {p.pk: p.section_id for p in provisions}
    direct: dict[int, set[int]] = defaultdict(set)
    for question in questions:
        direct[provision_section[question.provision_id]].add(question.pk)
    result: dict[int, set[int]] = {}

    def collect(section_id: int) -> set[int]:
        if section_id not in result:
            ids = set(direct.get(section_id, ()))
            for child in children.get(section_id, ()):
                ids |= collect(child)
            result[section_id] = ids
        return result[section_id]

    for section in sections:
        collect(section.pk)
    return result


def assignment_question_ids(
    *, assessment: Assessment, assignments: list[Assignment]
) -> dict[int, set[int]]:
    """The questions each assignment covers (a section's with its subsections'), by assignment id."""
    if not assignments:
        return {}
    pins = pins_of(assessment)
    sections, provisions, questions = version_content_list(versions=[p.version for p in pins])
    by_section = _section_question_ids(sections, provisions, questions)
    return {
        a.pk: (by_section.get(a.section_id, set()) if a.section_id else {a.question_id})
        for a in assignments
    }


def assigned_question_ids(*, assessment: Assessment, user: User) -> set[int]:
    """Every question of ``assessment`` assigned to ``user``, by section or one by one."""
    assignments = list(Assignment.objects.filter(assessment=assessment, assignee=user))
    ids: set[int] = set()
    for covered in assignment_question_ids(assessment=assessment, assignments=assignments).values():
        ids |= covered
    return ids


def assignment_list(*, assessment: Assessment) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(assessment=assessment)
        .select_related("assignee", "section", "question")
        .order_by("due_date", "id")
    )


@dataclass
class WorkItem:
    """One line of "My work": an assignment or an action of mine, with its due date."""

    kind: str  # "assignment" or "action"
    assessment: Assessment | None
    title: str
    due_date: dt.date | None
    url: str
    obj: Any = None
    #: For an assignment: how many of its applicable questions are answered, out of how many.
    answered: int | None = None
    total: int | None = None

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_date is not None and self.due_date < today


def my_work_list(*, user: User, today: dt.date | None = None) -> list[WorkItem]:
    """What is assigned to ``user`` across assessments of their organisations, overdue first.

    A constant number of queries whatever the number of assignments and actions: assignments
    (with their assessment, section and question), their assessments' questionnaires (for each
    assignment's progress, see :func:`questionnaire_build_many`) and open actions owned by the user. Example: an
    overdue section of *FY2025 review* comes before a question of *FY2026 review* due next month.
    """
    from assessments.models import ACTION_OPEN_STATUSES, Action

    today = today or timezone.localdate()
    organisation_ids = Membership.objects.filter(user=user).values("organisation_id")
    items: list[WorkItem] = []
    assignments = list(
        Assignment.objects.filter(assignee=user, assessment__organisation_id__in=organisation_ids)
        .select_related("assessment", "section", "question")
        .order_by("due_date", "id")
    )
    assessments = {a.assessment_id: a.assessment for a in assignments}
    questionnaires = questionnaire_build_many(assessments=list(assessments.values()))
    for assignment in assignments:
        target = assignment.section or assignment.question
        title = (
            f"{target.ref + ' ' if getattr(target, 'ref', '') else ''}{_loc(target, 'title')}"
            if assignment.section_id
            else _loc(target, "prompt")
        )
        answered, total = _assignment_progress(questionnaires[assignment.assessment_id], assignment)
        items.append(
            WorkItem(
                "assignment",
                assignment.assessment,
                title,
                assignment.due_date,
                reverse("assessments:mine", args=[assignment.assessment_id]),
                assignment,
                answered,
                total,
            )
        )
    for action in (
        Action.objects.filter(
            owner=user, organisation_id__in=organisation_ids, status__in=ACTION_OPEN_STATUSES
        )
        .select_related("assessment")
        .order_by("due_date", "id")
    ):
        items.append(
            WorkItem(
                "action",
                action.assessment,
                action.title,
                action.due_date,
                reverse("assessments:action_detail", args=[action.pk]),
                action,
            )
        )

    def order(item: WorkItem):
        return (
            not item.is_overdue(today),
            item.due_date is None,
            item.due_date or dt.date.max,
            item.title,
        )

    return sorted(items, key=order)


def _assignment_progress(questionnaire: Questionnaire, assignment: Assignment) -> tuple[int, int]:
    """(answered, applicable) among the questions an assignment covers."""
    if assignment.section_id:
        block = questionnaire.sections.get(assignment.section_id)
        blocks = (
            [q for s in block.walk() for p in s.provisions for q in p.questions] if block else []
        )
    else:
        blocks = [b for b in [questionnaire.questions.get(assignment.question_id)] if b]
    counted = [b for b in blocks if b.counts]
    return sum(b.is_answered for b in counted), len(counted)


def _loc(obj: Any, field_name: str) -> str:
    """The Japanese or English text of a bilingual field, in the active language."""
    from django.utils.translation import get_language

    language = "en" if (get_language() or "ja").startswith("en") else "ja"
    return getattr(obj, f"{field_name}_{language}", "") or getattr(obj, f"{field_name}_ja", "")
