"""Due-soon and overdue reminders (the daily task)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from assessments.models import (
    ACTION_OPEN_STATUSES,
    Action,
    Assessment,
    AssessmentStatus,
    Assignment,
)
from assessments.selectors import (
    questionnaire_build,
)
from portal.models import NotificationKind, User
from portal.services import notify

from .assignments import _assignment_title

# --- Reminders -------------------------------------------------------------------------------

#: A reminder goes out this many days before the due date.
DUE_SOON_DAYS = 3


def _remind(
    *,
    recipient: User,
    due: dt.date,
    today: dt.date,
    overdue_title: str,
    due_title: str,
    params: dict,
    **message,
) -> int:
    """One due-soon or overdue reminder (1 if sent, 0 if already sent today or muted); the
    reminder task's one shape for assignments, assessments and actions."""
    overdue = due < today
    with transaction.atomic():
        sent = notify(
            recipient=recipient,
            kind=NotificationKind.OVERDUE if overdue else NotificationKind.DUE_SOON,
            title=overdue_title if overdue else due_title,
            params={**params, "due": due.isoformat()},
            day=due,
            **message,
        )
    return int(sent is not None)


def due_reminders_send(*, today: dt.date | None = None) -> int:
    """The daily reminders: due soon (within ``DUE_SOON_DAYS``) and overdue, for assignments
    still unanswered, assessments in progress (to their owner) and open actions. Returns how many notifications were created.

    Each reminder is keyed by (recipient, kind, object, due date): running the task twice, or
    every day, sends each reminder once (a new due date is a new reminder). Submitted
    assessments and finished work are left alone.
    """
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    sent = 0
    assignments = list(
        Assignment.objects.filter(
            due_date__isnull=False,
            due_date__lte=horizon,
            assessment__status=AssessmentStatus.IN_PROGRESS,
        ).select_related("assessment__organisation", "assignee", "section", "question")
    )
    by_assessment: dict[int, list[Assignment]] = {}
    for assignment in assignments:
        by_assessment.setdefault(assignment.assessment_id, []).append(assignment)
    from assessments.selectors import assignment_question_ids

    for items in by_assessment.values():
        assessment = items[0].assessment
        questionnaire = questionnaire_build(assessment=assessment)
        covered = assignment_question_ids(assessment=assessment, assignments=items)
        for assignment in items:
            unanswered = [
                qid
                for qid in covered.get(assignment.pk, ())
                if (block := questionnaire.questions.get(qid)) is not None
                and block.counts
                and not block.is_answered
            ]
            if not unanswered:
                continue
            sent += _remind(
                recipient=assignment.assignee,
                due=assignment.due_date,
                today=today,
                overdue_title=gettext_noop("Overdue: %(target)s (%(assessment)s)"),
                due_title=gettext_noop("Due on %(due)s: %(target)s (%(assessment)s)"),
                body=gettext_noop("%(count)s questions are still to answer."),
                params={
                    "target": _assignment_title(assignment),
                    "assessment": assessment.name,
                    "count": len(unanswered),
                },
                url=reverse("assessments:mine", args=[assessment.pk]),
                obj=assignment,
                organisation=assessment.organisation,
            )
    for assessment in Assessment.objects.filter(
        status=AssessmentStatus.IN_PROGRESS,
        due_date__isnull=False,
        due_date__lte=horizon,
        owner__isnull=False,
    ).select_related("owner", "organisation"):
        sent += _remind(
            recipient=assessment.owner,
            due=assessment.due_date,
            today=today,
            overdue_title=gettext_noop("Overdue assessment: %(assessment)s"),
            due_title=gettext_noop("Assessment due on %(due)s: %(assessment)s"),
            params={"assessment": assessment.name},
            url=reverse("assessments:detail", args=[assessment.pk]),
            obj=assessment,
            organisation=assessment.organisation,
        )
    for action in Action.objects.filter(
        status__in=ACTION_OPEN_STATUSES,
        due_date__isnull=False,
        due_date__lte=horizon,
        owner__isnull=False,
    ).select_related("owner", "organisation"):
        sent += _remind(
            recipient=action.owner,
            due=action.due_date,
            today=today,
            overdue_title=gettext_noop("Overdue action: %(title)s"),
            due_title=gettext_noop("Action due on %(due)s: %(title)s"),
            params={"title": action.title},
            url=reverse("assessments:action_detail", args=[action.pk]),
            obj=action,
            organisation=action.organisation,
        )
    return sent
