"""Remediation actions: gaps turned into owned, dated work."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from assessments.evidence_files import EVIDENCE_FOLDER, evidence_type_check
from assessments.models import (
    ACTION_OPEN_STATUSES,
    Action,
    ActionEvidence,
    ActionStatus,
    Assessment,
)
from frameworks.models import Provision, Question
from portal.models import AuditEventType, NotificationKind, Organisation, User
from portal.services import audit_record, notify
from portal.storage import stored_file_delete, stored_file_save

from .assignments import _member_of

# --- Remediation actions ---------------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    """The fields of an action a person sets; on update, ``None`` leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    owner_id: int | None = None
    due_date: dt.date | None = None
    status: str | None = None
    risk_justification: str | None = None
    provision_ids: list[int] | None = None
    question_ids: list[int] | None = None


def _action_snapshot(action: Action) -> dict[str, Any]:
    return {
        "title": action.title,
        "owner": action.owner_id,
        "due_date": action.due_date.isoformat() if action.due_date else None,
        "status": action.status,
        "risk_justification": action.risk_justification,
        "risk_approver": action.risk_approver_id,
    }


def _action_links(action: Action, data: ActionInput) -> None:
    version_ids = (
        list(action.assessment.pins.values_list("version_id", flat=True))
        if action.assessment_id
        else None
    )
    for field_name, model, ids in (
        ("provisions", Provision, data.provision_ids),
        ("questions", Question, data.question_ids),
    ):
        if ids is None:
            continue
        rows = model.objects.filter(pk__in=ids)
        if version_ids is not None:
            rows = rows.filter(version_id__in=version_ids)
        rows = list(rows)
        if len(rows) != len(set(ids)):
            raise ValidationError({field_name: _("Link only items of this assessment.")})
        getattr(action, field_name).set(rows)


def _action_apply(action: Action, *, actor: User, data: ActionInput) -> None:
    for name in ("title", "description", "risk_justification"):
        value = getattr(data, name)
        if value is not None:
            setattr(action, name, value.strip())
    if data.owner_id is not None:
        action.owner = _member_of(action.organisation, data.owner_id, "owner")
    if data.due_date is not None:
        action.due_date = data.due_date
    if data.status is not None and data.status != action.status:
        if data.status not in ActionStatus.values:
            raise ValidationError({"status": _("Unknown status.")})
        if data.status == ActionStatus.RISK_ACCEPTED:
            if not action.risk_justification:
                raise ValidationError({"risk_justification": _("Say why the risk is accepted.")})
            # The person accepting the risk approves it; only officers and admins may.
            action.risk_approver = actor
        action.status = data.status
        action.closed_at = None if data.status in ACTION_OPEN_STATUSES else timezone.now()


def _tell(recipient: User | None, actor: User, **message) -> None:
    """Notify ``recipient`` once the change commits (never the person who made it)."""
    if recipient is None or recipient.pk == actor.pk:
        return
    transaction.on_commit(lambda: notify(recipient=recipient, **message))


def _action_notify_owner(action: Action, actor: User) -> None:
    if action.owner_id and action.owner_id != actor.pk:
        notify(
            recipient=action.owner,
            kind=NotificationKind.ACTION,
            title=gettext_noop("Action for you: %(title)s"),
            params={"title": action.title},
            url=reverse("assessments:action_detail", args=[action.pk]),
            obj=action,
            organisation=action.organisation,
        )


@transaction.atomic
def action_create(
    *,
    actor: User,
    organisation: Organisation,
    data: ActionInput,
    assessment: Assessment | None = None,
) -> Action:
    """Turn a gap into a remediation action: title, owner, due date, linked provisions/questions.

    Example: ``action_create(actor=officer, organisation=acme, assessment=fy2026,
    data=ActionInput(title="Approve the breach procedure", owner_id=legal.pk,
    due_date=date(2026, 12, 1), question_ids=[q.pk]))``.
    """
    if assessment is not None and assessment.organisation_id != organisation.pk:
        raise ValidationError({"assessment": _("No such assessment.")})
    action = Action(organisation=organisation, assessment=assessment, created_by=actor)
    _action_apply(action, actor=actor, data=data)
    action.full_clean()
    action.save()
    _action_links(action, data)
    audit_record(
        actor=actor,
        event_type=AuditEventType.ACTION_CREATED,
        obj=action,
        after=_action_snapshot(action),
        organisation=organisation,
        context=assessment,
    )
    _action_notify_owner(action, actor)
    return action


@transaction.atomic
def action_update(*, actor: User, action: Action, data: ActionInput) -> Action:
    """Change an action: reassign, reschedule, move its status, accept its risk (with a reason)."""
    # Lock the action row only: PostgreSQL cannot lock the nullable (outer-joined) assessment.
    action = (
        Action.objects.select_for_update(of=("self",))
        .select_related("organisation", "assessment")
        .get(pk=action.pk)
    )
    before = _action_snapshot(action)
    owner_before = action.owner_id
    _action_apply(action, actor=actor, data=data)
    action.full_clean()
    action.save()
    _action_links(action, data)
    audit_record(
        actor=actor,
        event_type=AuditEventType.ACTION_UPDATED,
        obj=action,
        before=before,
        after=_action_snapshot(action),
        organisation=action.organisation,
        context=action.assessment,
    )
    if action.owner_id != owner_before:
        _action_notify_owner(action, actor)
    return action


@transaction.atomic
def action_evidence_upload(*, actor: User, action: Action, upload: UploadedFile) -> ActionEvidence:
    """Attach proof that an action is done; the same checks and storage as answer evidence."""
    content_type, extension = evidence_type_check(upload, max_bytes=settings.EVIDENCE_MAX_BYTES)
    stored_name, sha256, size = stored_file_save(
        folder=EVIDENCE_FOLDER, name=f"{secrets.token_hex(16)}{extension}", content=upload
    )
    try:
        evidence = ActionEvidence(
            action=action,
            original_name=Path(upload.name).name[:255],
            stored_name=stored_name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=actor,
        )
        evidence.full_clean()
        evidence.save()
        audit_record(
            actor=actor,
            event_type=AuditEventType.ACTION_EVIDENCE_UPLOADED,
            obj=evidence,
            after={"name": evidence.original_name, "sha256": evidence.sha256, "size": size},
            organisation=action.organisation,
            context=action.assessment,
        )
    except BaseException:
        stored_file_delete(EVIDENCE_FOLDER, stored_name)  # nothing is kept when it fails half way
        raise
    return evidence


def action_evidence_download_record(
    *, actor: User, action: Action, evidence: ActionEvidence
) -> None:
    audit_record(
        actor=actor,
        event_type=AuditEventType.EVIDENCE_DOWNLOADED,
        obj=evidence,
        after={"name": evidence.original_name, "sha256": evidence.sha256},
        organisation=action.organisation,
        context=action.assessment,
    )
