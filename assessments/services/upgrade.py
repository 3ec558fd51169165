"""Upgrading an assessment to a newer framework version."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assessments.models import (
    Answer,
    Assessment,
    AssessmentFramework,
    Evidence,
)
from assessments.selectors import (
    QUESTION_CONTENT_FIELDS,
    upgrade_plan_get,
)
from frameworks.choices import VersionStatus
from frameworks.models import FrameworkVersion
from portal.models import AuditEventType, User

from ._shared import _audit, _refuse_if_locked

# --- Upgrade ---------------------------------------------------------------------------------


@transaction.atomic
def assessment_upgrade(
    *, actor: User, assessment: Assessment, pin: AssessmentFramework, target: FrameworkVersion
) -> Assessment:
    """Move one pinned framework to a newer published version.

    Answers to unchanged questions carry over; answers to changed questions carry
    over marked ``needs_review``; answers to removed questions stay on the old
    version's question, read-only, as history; new questions start empty.
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    pin = (
        AssessmentFramework.objects.select_for_update()
        .select_related("version")
        .get(pk=pin.pk, assessment=assessment)
    )
    if (
        target.framework_id != pin.framework_id
        or target.status != VersionStatus.PUBLISHED
        or target.pk == pin.version_id
    ):
        raise ValidationError(
            {"version": _("Choose a newer published version of the same framework.")}
        )
    plan = upgrade_plan_get(assessment=assessment, pin=pin, target=target)
    old_answers = {
        a.question.urn: a
        for a in Answer.objects.filter(assessment=assessment, question__version_id=pin.version_id)
        .select_related("question")
        .prefetch_related("evidence")
    }
    carried = 0
    for old_question, new_question in [*plan.unchanged, *plan.changed]:
        old_answer = old_answers.get(old_question.urn)
        if old_answer is None:
            continue
        changed = any(
            getattr(old_question, f) != getattr(new_question, f) for f in QUESTION_CONTENT_FIELDS
        )
        valid_keys = {c["key"] for c in new_question.choices}
        value = old_answer.value
        if new_question.choices and value is not None:
            values = value if isinstance(value, list) else [value]
            if not set(values) <= valid_keys:  # the choice is gone: keep the comment, ask again
                value, changed = None, True
        answer = Answer(
            assessment=assessment,
            question=new_question,
            value=value,
            not_applicable=old_answer.not_applicable,
            justification=old_answer.justification,
            comment=old_answer.comment,
            needs_review=changed,
            # An upgrade is not a person's confirmation of a rolled-forward answer.
            reconfirm_required=old_answer.reconfirm_required,
            updated_by=actor,
        )
        answer.full_clean()
        answer.save()
        Evidence.objects.bulk_create(
            [
                Evidence(
                    answer=answer,
                    **{
                        f: getattr(e, f)
                        for f in (
                            "original_name",
                            "stored_name",
                            "content_type",
                            "size",
                            "sha256",
                            "uploaded_by_id",
                        )
                    },
                )
                for e in old_answer.evidence.all()
            ]
        )
        carried += 1
    before = {"version": str(pin.version), "version_id": pin.version_id}
    pin.version = target
    pin.full_clean()
    pin.save()
    assessment.revision += 1
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_UPGRADED,
        assessment=assessment,
        obj=pin,
        before=before,
        after={
            "version": str(target),
            "version_id": target.pk,
            "carried_over": carried,
            "needs_review": len(plan.changed),
            "removed": [q.urn for q in plan.removed],
            "added": [q.urn for q in plan.added],
        },
    )
    return assessment
