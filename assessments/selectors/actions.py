"""Remediation actions: lists, filters and access."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F as models_F
from django.db.models import Prefetch, QuerySet
from django.db.models import Q as models_Q
from django.http import Http404
from django.utils import timezone

from assessments.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionEvidence,
    Assessment,
)
from frameworks.models import Provision, Question
from portal.models import Membership, Organisation, User
from portal.selectors import MemberAccess

# --- Remediation actions ---------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilters:
    """The filters of an action plan; ``None`` means any. Example: ``status="open", overdue=True``."""

    status: str | None = None
    owner_id: int | None = None
    overdue: bool = False
    assessment_id: int | None = None


def action_list(
    *,
    organisation: Organisation | None = None,
    assessment: Assessment | None = None,
    filters: ActionFilters | None = None,
    today: dt.date | None = None,
) -> QuerySet[Action]:
    """The actions of an organisation or of one assessment, overdue first, then by due date.

    Four queries whatever the number of actions (actions with owner, approver and assessment;
    linked provisions; linked questions; evidence). The report's action-plan section calls
    ``action_list(assessment=a)``.
    """
    from django.db.models import Case, IntegerField, Value, When

    today = today or timezone.localdate()
    filters = filters or ActionFilters()
    actions = Action.objects.all()
    if organisation is not None:
        actions = actions.filter(organisation=organisation)
    if assessment is not None:
        actions = actions.filter(assessment=assessment)
    if filters.status:
        actions = actions.filter(status=filters.status)
    if filters.owner_id:
        actions = actions.filter(owner_id=filters.owner_id)
    if filters.assessment_id:
        actions = actions.filter(assessment_id=filters.assessment_id)
    overdue = models_Q(status__in=ACTION_OPEN_STATUSES, due_date__lt=today)
    if filters.overdue:
        actions = actions.filter(overdue)
    return (
        actions.select_related("owner", "risk_approver", "assessment")
        .prefetch_related(
            Prefetch("provisions", queryset=Provision.objects.order_by("order", "id")),
            Prefetch("questions", queryset=Question.objects.order_by("order", "id")),
            Prefetch("evidence", queryset=ActionEvidence.objects.order_by("uploaded_at", "id")),
        )
        .annotate(
            is_overdue=Case(
                When(overdue, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        .order_by("-is_overdue", models_F("due_date").asc(nulls_last=True), "id")
    )


def access_action(*, user: User, pk: int, write: bool = False) -> tuple[Action, MemberAccess]:
    """An action of one of the user's organisations; 404 for missing and foreign ones alike.

    Contributors and outsiders get 404 (they do not see action plans); with ``write=True``
    an auditor gets 403. The returned access carries the member's rights.
    """
    action = (
        Action.objects.select_related("organisation", "assessment", "owner", "risk_approver")
        .filter(pk=pk)
        .first()
    )
    membership = (
        Membership.objects.filter(user=user, organisation_id=action.organisation_id).first()
        if action is not None and user.is_authenticated
        else None
    )
    if action is None or membership is None or not MemberAccess(membership).can_read_all:
        raise Http404("No such action.")
    if write and not MemberAccess(membership).can_write:
        raise PermissionDenied("Auditors cannot change actions.")
    return action, MemberAccess(membership)


def access_action_evidence(*, user: User, pk: int, evidence_pk: int) -> ActionEvidence:
    action, _access = access_action(user=user, pk=pk)
    evidence = ActionEvidence.objects.filter(action=action, pk=evidence_pk).first()
    if evidence is None:
        raise Http404("No such file.")
    return evidence


def action_status_counts(*, actions: list[Action]) -> dict[str, int]:
    """How many actions are in each status, plus ``overdue``; from rows already read."""
    from assessments.models import ActionStatus

    counts = {status: 0 for status in ActionStatus.values}
    counts["overdue"] = 0
    for action in actions:
        counts[action.status] += 1
        counts["overdue"] += bool(getattr(action, "is_overdue", 0))
    return counts
