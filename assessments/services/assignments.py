"""Assigning sections and questions to members, and the assessment plan."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessments.models import (
    Assessment,
    Assignment,
)
from frameworks.models import Question, Section
from portal.models import AuditEventType, Membership, NotificationKind, Organisation, User
from portal.services import notify

from ._shared import _audit

# --- Assignments -----------------------------------------------------------------------------


def _member_of(organisation: Organisation, user_id: int | None, field_name: str) -> User | None:
    if user_id is None:
        return None
    membership = (
        Membership.objects.select_related("user")
        .filter(organisation=organisation, user_id=user_id)
        .first()
    )
    if membership is None:
        raise ValidationError({field_name: _("Choose a member of the organisation.")})
    return membership.user


@transaction.atomic
def assessment_plan_update(
    *, actor: User, assessment: Assessment, owner_id: int | None, due_date: dt.date | None
) -> Assessment:
    """Set who answers for the assessment as a whole, and its due date."""
    owner = _member_of(assessment.organisation, owner_id, "owner")
    before = {
        "owner": assessment.owner_id,
        "due_date": assessment.due_date.isoformat() if assessment.due_date else None,
    }
    assessment.owner = owner
    assessment.due_date = due_date
    assessment.full_clean()
    assessment.save(update_fields=["owner", "due_date", "updated_at"])
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_PLAN_CHANGED,
        assessment=assessment,
        before=before,
        after={"owner": owner_id, "due_date": due_date.isoformat() if due_date else None},
    )
    return assessment


def _assignment_title(assignment: Assignment) -> dict[str, str]:
    if assignment.section_id:
        section = assignment.section
        ref = f"{section.ref} " if section.ref else ""
        return {"ja": f"{ref}{section.title_ja}", "en": f"{ref}{section.title_en}"}
    question = assignment.question
    return {"ja": question.prompt_ja, "en": question.prompt_en or question.prompt_ja}


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    assessment: Assessment,
    assignee_id: int,
    section_id: int | None = None,
    question_id: int | None = None,
    due_date: dt.date | None = None,
) -> Assignment:
    """Give a member a section (with its subsections) or one question to answer, by a date.

    The assignee is told (notification ``assignment``). Example: the engineer gets
    "Chapter 3 Developers" of *FY2026 review*, due 2026-12-01.
    """
    assignee = _member_of(assessment.organisation, assignee_id, "assignee")
    version_ids = list(assessment.pins.values_list("version_id", flat=True))
    section = question = None
    if section_id is not None:
        section = Section.objects.filter(pk=section_id, version_id__in=version_ids).first()
        if section is None:
            raise ValidationError({"section": _("No such section in this assessment.")})
    if question_id is not None:
        question = Question.objects.filter(pk=question_id, version_id__in=version_ids).first()
        if question is None:
            raise ValidationError({"question": _("No such question in this assessment.")})
    assignment = Assignment(
        assessment=assessment,
        assignee=assignee,
        section=section,
        question=question,
        due_date=due_date,
        assigned_by=actor,
    )
    assignment.full_clean()
    assignment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSIGNMENT_CREATED,
        assessment=assessment,
        obj=assignment,
        after={
            "assignee": assignee.get_username(),
            "section": section_id,
            "question": question_id,
            "due_date": due_date.isoformat() if due_date else None,
        },
    )
    notify(
        recipient=assignee,
        kind=NotificationKind.ASSIGNMENT,
        title=gettext_noop("Assigned to you: %(target)s (%(assessment)s)"),
        body=gettext_noop("%(actor)s asked you to answer %(target)s of %(assessment)s."),
        params={
            "target": _assignment_title(assignment),
            "assessment": assessment.name,
            "actor": actor.get_username(),
        },
        url=reverse("assessments:mine", args=[assessment.pk]),
        obj=assignment,
        organisation=assessment.organisation,
    )
    return assignment


@transaction.atomic
def assignment_delete(*, actor: User, assignment: Assignment) -> None:
    assessment = assignment.assessment
    _audit(
        actor=actor,
        event=AuditEventType.ASSIGNMENT_DELETED,
        assessment=assessment,
        obj=assignment,
        before={
            "assignee": assignment.assignee_id,
            "section": assignment.section_id,
            "question": assignment.question_id,
        },
    )
    assignment.delete()
