"""Writes to assessments: create, scope, answer, attach evidence, submit, reopen, upgrade.

Every service checks the lock and the caller's expectations (revisions) before
writing, writes inside one transaction, and appends an audit row.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.answer_values import answer_value_clean
from assessments.evidence_files import EVIDENCE_FOLDER, evidence_type_check
from assessments.models import Answer, Assessment, AssessmentFramework, AssessmentStatus, Evidence
from assessments.scoping import ScopingProfile
from assessments.selectors import QUESTION_CONTENT_FIELDS, questionnaire_build, upgrade_plan_get
from frameworks.choices import VersionStatus
from frameworks.models import FrameworkVersion, Question
from portal.models import AuditEventType, Organisation, User
from portal.services import audit_record, audit_record_many
from portal.storage import stored_file_delete, stored_file_save


class AssessmentLockedError(ValidationError):
    """The assessment is submitted; reopen it first."""

    http_status = 409


class AnswerConflictError(Exception):
    """Someone saved this answer after the revision the caller saw: nothing was written."""

    http_status = 409

    def __init__(self, current: Answer):
        self.current = current
        super().__init__(f"answer changed to revision {current.revision}")


class AssessmentIncompleteError(ValidationError):
    def __init__(self, missing):
        self.missing = missing
        super().__init__(_("%(n)d required questions are not answered yet.") % {"n": len(missing)})


def _audit(
    *,
    actor: User,
    event: AuditEventType,
    assessment: Assessment,
    obj=None,
    before=None,
    after=None,
    subject: str = "",
) -> None:
    audit_record(
        actor=actor,
        event_type=event,
        obj=obj if obj is not None else assessment,
        before=before,
        after=after,
        organisation=assessment.organisation,
        context=assessment,
        subject=subject,
    )


def _refuse_if_locked(assessment: Assessment) -> None:
    if assessment.is_locked:
        raise AssessmentLockedError(
            _("This assessment is submitted and locked. Reopen it to make changes.")
        )


# --- Create and scope ------------------------------------------------------------------------


@transaction.atomic
def assessment_create(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    versions: list[FrameworkVersion],
    scoping: ScopingProfile,
) -> Assessment:
    """A new assessment pinned to ``versions`` (published ones, one per framework)."""
    if not versions:
        raise ValidationError({"frameworks": _("Choose at least one framework.")})
    if any(v.status != VersionStatus.PUBLISHED for v in versions):
        raise ValidationError(
            {"frameworks": _("Only published framework versions can be assessed.")}
        )
    if len({v.framework_id for v in versions}) != len(versions):
        raise ValidationError({"frameworks": _("Choose one version per framework.")})
    assessment = Assessment(
        organisation=organisation, name=name.strip(), scoping=scoping.model_dump(), created_by=actor
    )
    assessment.full_clean()
    assessment.save()
    for order, version in enumerate(versions):
        pin = AssessmentFramework(
            assessment=assessment, framework_id=version.framework_id, version=version, order=order
        )
        pin.full_clean()
        pin.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_CREATED,
        assessment=assessment,
        after={
            "name": assessment.name,
            "versions": [str(v) for v in versions],
            "scoping": assessment.scoping,
        },
    )
    return assessment


def _bump(assessment: Assessment, expected_revision: int | None) -> None:
    """Refuse a change made from a stale page, then move the revision on."""
    if expected_revision is not None and expected_revision != assessment.revision:
        raise ValidationError(
            {
                "revision": _(
                    "Someone changed this assessment after you opened it. Reload the page and try again."
                )
            }
        )
    assessment.revision += 1


@transaction.atomic
def assessment_scoping_update(
    *,
    actor: User,
    assessment: Assessment,
    scoping: ScopingProfile,
    expected_revision: int | None = None,
) -> Assessment:
    """Change the scoping profile. Applicability follows; answers are kept even where they no longer apply."""
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    before = assessment.scoping
    _bump(assessment, expected_revision)
    assessment.scoping = scoping.model_dump()
    assessment.full_clean()
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_SCOPING_CHANGED,
        assessment=assessment,
        before=before,
        after=assessment.scoping,
    )
    return assessment


# --- Answers ---------------------------------------------------------------------------------


def _answer_snapshot(answer: Answer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "value": answer.value,
        "not_applicable": answer.not_applicable,
        "justification": answer.justification,
        "comment": answer.comment,
        "revision": answer.revision,
    }


@dataclass(frozen=True)
class AnswerInput:
    """What the officer sent for one question; ``revision`` is the answer revision the page showed (0: none)."""

    value: Any = None
    comment: str = ""
    not_applicable: bool = False
    justification: str = ""
    revision: int | None = None


def _question_of(assessment: Assessment, question_id: int) -> Question:
    question = (
        Question.objects.select_related("provision")
        .filter(pk=question_id, version__assessment_pins__assessment=assessment)
        .first()
    )
    if question is None:
        raise ValidationError({"question": _("This question is not part of the assessment.")})
    return question


def _answer_apply(
    *,
    actor: User,
    question: Question,
    answer: Answer | None,
    assessment: Assessment,
    data: AnswerInput,
) -> tuple[Answer, dict | None] | None:
    """Validate ``data`` for ``question`` and apply it to ``answer`` (or a new one), without saving.

    Returns ``(answer, before)``, or None when nothing would change. Raises ValidationError
    naming the field, or AnswerConflictError when the answer moved past ``data.revision``.
    """
    value = answer_value_clean(question, data.value)
    justification = (data.justification or "").strip()
    comment = (data.comment or "").strip()
    if data.not_applicable and not justification:
        raise ValidationError({"justification": _("Say why this question does not apply to you.")})
    if len(comment) > 10_000 or len(justification) > 10_000:
        raise ValidationError({"comment": _("Keep comments under 10,000 characters.")})
    if data.revision is not None and (answer.revision if answer else 0) != data.revision:
        raise AnswerConflictError(answer)
    before = _answer_snapshot(answer)
    new_value = None if data.not_applicable else value
    new_justification = justification if data.not_applicable else ""
    if (
        answer is not None
        and not answer.needs_review
        and (answer.value, answer.not_applicable, answer.justification, answer.comment)
        == (new_value, data.not_applicable, new_justification, comment)
    ):
        return None  # nothing changed: no new revision, no audit row
    if answer is None:
        answer = Answer(assessment=assessment, question=question, revision=1)
    else:
        answer.revision += 1
    answer.value = new_value
    answer.not_applicable = data.not_applicable
    answer.justification = new_justification
    answer.comment = comment
    answer.needs_review = False
    answer.updated_by = actor
    answer.updated_at = timezone.now()
    # The related rows were just loaded and uniqueness per question is guaranteed by the caller
    # (and the database constraint): validating them again would cost queries per answer.
    answer.full_clean(
        exclude=["assessment", "question", "updated_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    return answer, before


@transaction.atomic
def answer_save(
    *, actor: User, assessment: Assessment, question_id: int, data: AnswerInput
) -> Answer:
    """Create or update the answer to one question (the autosave path).

    Raises ValidationError naming the field, AssessmentLockedError, or
    AnswerConflictError when the answer moved past ``data.revision``.
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    question = _question_of(assessment, question_id)
    answer = (
        Answer.objects.select_for_update().filter(assessment=assessment, question=question).first()
    )
    applied = _answer_apply(
        actor=actor, question=question, answer=answer, assessment=assessment, data=data
    )
    if applied is None:
        return answer
    answer, before = applied
    answer.save()
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
    _audit(
        actor=actor,
        event=AuditEventType.ANSWER_SAVED,
        assessment=assessment,
        obj=answer,
        before=before,
        after=_answer_snapshot(answer),
        subject=question.urn,
    )
    return answer


# --- Evidence --------------------------------------------------------------------------------


@transaction.atomic
def evidence_upload(
    *, actor: User, assessment: Assessment, question_id: int, upload: UploadedFile
) -> Evidence:
    """Store a file for the answer to ``question_id`` (creating an empty answer if needed).

    The file is checked (size, extension, content matching the extension), written through
    the file storage under a random name outside the web root, and hashed as it streams;
    nothing is kept on failure.
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    question = _question_of(assessment, question_id)
    content_type, extension = evidence_type_check(upload, max_bytes=settings.EVIDENCE_MAX_BYTES)
    answer, created = Answer.objects.get_or_create(
        assessment=assessment, question=question, defaults={"updated_by": actor}
    )
    stored_name, sha256, size = stored_file_save(
        folder=EVIDENCE_FOLDER, name=f"{secrets.token_hex(16)}{extension}", content=upload
    )
    try:
        evidence = Evidence(
            answer=answer,
            original_name=Path(upload.name).name[:255],
            stored_name=stored_name,
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=actor,
        )
        evidence.full_clean()
        evidence.save()
        _audit(
            actor=actor,
            event=AuditEventType.EVIDENCE_UPLOADED,
            assessment=assessment,
            obj=evidence,
            after={"name": evidence.original_name, "sha256": evidence.sha256, "size": size},
            subject=question.urn,
        )
    except BaseException:
        # Nothing is kept when the upload fails half way.
        stored_file_delete(EVIDENCE_FOLDER, stored_name)
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, actor: User, assessment: Assessment, evidence: Evidence) -> None:
    """Detach a file from its answer. The stored file stays: history and issued reports cite its hash."""
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    _audit(
        actor=actor,
        event=AuditEventType.EVIDENCE_DELETED,
        assessment=assessment,
        obj=evidence,
        before={"name": evidence.original_name, "sha256": evidence.sha256},
        subject=evidence.answer.question.urn,
    )
    evidence.delete()


def evidence_download_record(*, actor: User, assessment: Assessment, evidence: Evidence) -> None:
    _audit(
        actor=actor,
        event=AuditEventType.EVIDENCE_DOWNLOADED,
        assessment=assessment,
        obj=evidence,
        after={"name": evidence.original_name, "sha256": evidence.sha256},
        subject=evidence.answer.question.urn,
    )


# --- Submit and reopen -----------------------------------------------------------------------


@transaction.atomic
def assessment_submit(
    *, actor: User, assessment: Assessment, expected_revision: int | None = None
) -> Assessment:
    """Lock the assessment once every applicable required question is answered."""
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    missing = questionnaire_build(assessment=assessment).missing()
    if missing:
        raise AssessmentIncompleteError(missing)
    _bump(assessment, expected_revision)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_SUBMITTED,
        assessment=assessment,
        before={"status": AssessmentStatus.IN_PROGRESS},
        after={"status": assessment.status},
    )
    return assessment


@transaction.atomic
def assessment_reopen(
    *, actor: User, assessment: Assessment, expected_revision: int | None = None
) -> Assessment:
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    if not assessment.is_locked:
        raise ValidationError({"status": _("This assessment is not submitted.")})
    _bump(assessment, expected_revision)
    assessment.status = AssessmentStatus.IN_PROGRESS
    assessment.submitted_at = None
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_REOPENED,
        assessment=assessment,
        before={"status": AssessmentStatus.SUBMITTED},
        after={"status": assessment.status},
    )
    return assessment


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


class BulkAnswerError(Exception):
    """Some items of a bulk save were refused; nothing was written. ``errors`` lists them by item."""

    def __init__(self, errors: list[dict[str, Any]]):
        self.errors = errors
        super().__init__(f"{len(errors)} item(s) refused")


@transaction.atomic
def answers_bulk_save(
    *, actor: User, assessment: Assessment, items: list[tuple[int, AnswerInput]]
) -> list[Answer]:
    """Save many answers at once, all or nothing: one refused item and none is written.

    ``items`` are ``(question_id, AnswerInput)``; the errors of every refused item are
    collected (``items[3].value: Choose one of the offered answers.``). A constant number of
    queries whatever the number of items: questions, answers, one insert, one update, one
    insert into the audit log.
    """
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    ids = [question_id for question_id, _data in items]
    questions = {
        q.pk: q
        for q in Question.objects.filter(
            pk__in=ids, version__assessment_pins__assessment=assessment
        )
    }
    answers = {
        a.question_id: a
        for a in Answer.objects.select_for_update().filter(
            assessment=assessment, question_id__in=ids
        )
    }
    for answer in answers.values():
        answer.question = (
            questions.get(answer.question_id) or answer.question
        )  # no query per answer later
    errors: list[dict[str, Any]] = []
    changed: list[tuple[Answer, dict | None, Question]] = []
    unchanged: list[Answer] = []
    seen: set[int] = set()
    for index, (question_id, data) in enumerate(items):
        if question_id in seen:
            errors.append(
                {
                    "field": f"items[{index}].question",
                    "message": _("This question appears twice in the request."),
                    "code": "duplicate",
                }
            )
            continue
        seen.add(question_id)
        question = questions.get(question_id)
        if question is None:
            errors.append(
                {
                    "field": f"items[{index}].question",
                    "message": _("This question is not part of the assessment."),
                    "code": "invalid",
                }
            )
            continue
        try:
            applied = _answer_apply(
                actor=actor,
                question=question,
                answer=answers.get(question_id),
                assessment=assessment,
                data=data,
            )
        except AnswerConflictError as exc:
            errors.append(
                {
                    "field": f"items[{index}].revision",
                    "message": _("This answer changed meanwhile (now at revision %(n)d).")
                    % {"n": exc.current.revision if exc.current else 0},
                    "code": "conflict",
                }
            )
            continue
        except ValidationError as exc:
            for field, messages in (
                exc.message_dict.items()
                if hasattr(exc, "error_dict")
                else [("value", exc.messages)]
            ):
                errors.extend(
                    {"field": f"items[{index}].{field}", "message": message, "code": "invalid"}
                    for message in messages
                )
            continue
        if applied is None:
            unchanged.append(answers[question_id])
        else:
            changed.append((applied[0], applied[1], question))
    if errors:
        raise BulkAnswerError(errors)
    new = [a for a, before, _q in changed if a.pk is None]
    old = [a for a, before, _q in changed if a.pk is not None]
    Answer.objects.bulk_create(new)
    Answer.objects.bulk_update(
        old,
        [
            "value",
            "not_applicable",
            "justification",
            "comment",
            "needs_review",
            "revision",
            "updated_by",
            "updated_at",
        ],
    )
    if changed:
        Assessment.objects.filter(pk=assessment.pk).update(updated_at=timezone.now())
        audit_record_many(
            [
                dict(
                    actor=actor,
                    event_type=AuditEventType.ANSWER_SAVED,
                    obj=a,
                    before=before,
                    after=_answer_snapshot(a),
                    organisation=assessment.organisation,
                    context=assessment,
                    subject=q.urn,
                )
                for a, before, q in changed
            ]
        )
    return [a for a, _b, _q in changed] + unchanged


# --- Workbook import -------------------------------------------------------------------------


class WorkbookImportError(Exception):
    """The workbook has problems; nothing was written. ``errors`` lists them by sheet, row, column."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the workbook")


@dataclass(frozen=True)
class WorkbookImportResult:
    changed: int
    unchanged: int


@transaction.atomic
def answers_workbook_import(
    *, actor: User, assessment: Assessment, name: str, content: bytes, language: str = "ja"
) -> WorkbookImportResult:
    """Save the answers of a workbook filled offline, all or nothing.

    The workbook is read and checked first (:func:`assessments.workbooks.questionnaire_workbook_read`);
    any problem raises WorkbookImportError and writes nothing. Otherwise the changed rows go
    through :func:`answers_bulk_save` (each answer audited as usual) and one more audit row
    records the import itself (file name, SHA-256, counts).
    """
    from assessments.workbooks import CellError, questionnaire_workbook_read

    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    _refuse_if_locked(assessment)
    read = questionnaire_workbook_read(assessment=assessment, content=content, language=language)
    if read.errors:
        raise WorkbookImportError(read.errors)
    items = [
        (
            row.question_id,
            AnswerInput(
                value=row.value,
                comment=row.comment,
                not_applicable=row.not_applicable,
                justification=row.justification,
                revision=row.revision,
            ),
        )
        for row in read.rows
    ]
    if items:
        try:
            answers_bulk_save(actor=actor, assessment=assessment, items=items)
        except (
            BulkAnswerError
        ) as exc:  # a race with another save after the check: report it in place
            errors = []
            for item in exc.errors:
                index = int(item["field"].split("]")[0].removeprefix("items["))
                row = read.rows[index]
                errors.append(CellError(row.sheet, row.row, None, item["message"]))
            raise WorkbookImportError(errors) from None
    _audit(
        actor=actor,
        event=AuditEventType.ANSWERS_IMPORTED,
        assessment=assessment,
        after={
            "file": name[:200],
            "sha256": hashlib.sha256(content).hexdigest(),
            "changed": len(items),
            "unchanged": read.unchanged,
        },
    )
    return WorkbookImportResult(changed=len(items), unchanged=read.unchanged)
