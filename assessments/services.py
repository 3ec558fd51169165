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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments.answer_values import answer_value_clean
from assessments.evidence_files import EVIDENCE_FOLDER, evidence_type_check
from assessments.models import (
    Answer,
    Assessment,
    AssessmentFramework,
    AssessmentStatus,
    Evidence,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
)
from assessments.scoping import ScopingProfile
from assessments.selectors import (
    QUESTION_CONTENT_FIELDS,
    REVIEW_OPEN_STATES,
    access_assessment,
    questionnaire_build,
    upgrade_plan_get,
)
from frameworks.choices import VersionStatus
from frameworks.models import FrameworkVersion, Question
from frameworks.selectors import framework_versions_latest_published_by_urn
from portal.models import AuditEventType, Organisation, User
from portal.services import audit_record, audit_record_many
from portal.storage import stored_file_delete, stored_file_save


class AssessmentLockedError(ValidationError):
    """The assessment is submitted; reopen it first."""

    http_status = 409


class AssessmentStateError(ValidationError):
    """The assessment is not in a state that allows this step (approving a draft, returning an
    approved assessment, approving with open queries): nothing was written."""

    http_status = 409


class AnswerConflictError(Exception):
    """Someone saved this answer after the revision the caller saw: nothing was written."""

    http_status = 409

    def __init__(self, current: Answer | None):
        # ``current`` is None when the caller sent a revision for a question nobody answered yet.
        self.current = current
        self.current_revision = current.revision if current is not None else 0
        super().__init__(f"answer changed to revision {self.current_revision}")


class AssessmentStaleError(ValidationError):
    """The caller saw an older revision of the assessment: nothing was written."""

    http_status = 409


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


def _scoping_check(scoping: ScopingProfile) -> None:
    """A scope names at least one role: applicability is decided by the roles."""
    if not scoping.roles:
        raise ValidationError({"roles": _("Choose at least one role.")})


def _refuse_if_locked(assessment: Assessment) -> None:
    if assessment.status == AssessmentStatus.APPROVED:
        raise AssessmentLockedError(
            _("This assessment is approved and locked. Reopen it, with a reason, to make changes.")
        )
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
    _scoping_check(scoping)
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


def assessment_create_from_urns(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    framework_urns: list[str],
    scoping: ScopingProfile,
) -> Assessment:
    """A new assessment pinned to the newest published version of each framework URN.

    Example: ``framework_urns=["urn:tekigo:fw:appi"]`` pins APPI's newest published version. An
    unknown or unpublished URN is refused naming its position: ``frameworks[1]``.
    """
    versions = framework_versions_latest_published_by_urn(urns=framework_urns)
    missing = {
        f"frameworks[{index}]": _("No published framework %(urn)s.") % {"urn": urn}
        for index, urn in enumerate(framework_urns)
        if urn not in versions
    }
    if missing:
        raise ValidationError(missing)
    return assessment_create(
        actor=actor,
        organisation=organisation,
        name=name,
        versions=[versions[urn] for urn in framework_urns],
        scoping=scoping,
    )


def _bump(assessment: Assessment, expected_revision: int | None) -> None:
    """Refuse a change made from a stale page, then move the revision on."""
    if expected_revision is not None and expected_revision != assessment.revision:
        raise AssessmentStaleError(
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
    _scoping_check(scoping)
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


def _locked_assessment(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )


def _refuse_unless_status(assessment: Assessment, allowed: set[str], message: str) -> None:
    if assessment.status not in allowed:
        raise AssessmentStateError({"status": message})


@transaction.atomic
def assessment_submit(
    *, actor: User, assessment: Assessment, expected_revision: int | None = None
) -> Assessment:
    """Send a draft or a returned assessment for review, once every applicable required question
    is answered. Answers are locked until an auditor returns it or it is reopened."""
    assessment = _locked_assessment(assessment)
    _refuse_if_locked(assessment)
    _refuse_unless_status(
        assessment,
        {AssessmentStatus.IN_PROGRESS, AssessmentStatus.RETURNED},
        _("Only a draft or a returned assessment can be submitted."),
    )
    missing = questionnaire_build(assessment=assessment).missing()
    if missing:
        raise AssessmentIncompleteError(missing)
    before = assessment.status
    _bump(assessment, expected_revision)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = actor
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_SUBMITTED,
        assessment=assessment,
        before={"status": before},
        after={"status": assessment.status},
    )
    return assessment


def _reason_clean(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": _("Give a reason; it is recorded in the history.")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Keep the reason under 2,000 characters.")})
    return reason


@transaction.atomic
def assessment_reopen(
    *,
    actor: User,
    assessment: Assessment,
    reason: str = "",
    expected_revision: int | None = None,
    voids_approval: bool = False,
) -> Assessment:
    """Back to draft: a submitted assessment is withdrawn from review (a reason is optional); an
    approved one needs a reason, which is recorded, and its approval no longer holds.

    The approval record itself lives in ``reports`` (it names a report snapshot), so an approved
    assessment is reopened only through :func:`reports.services.assessment_reopen_approved`,
    which passes ``voids_approval=True`` and voids the sign-off in the same transaction.
    """
    assessment = _locked_assessment(assessment)
    allowed = {AssessmentStatus.SUBMITTED}
    if voids_approval:
        allowed.add(AssessmentStatus.APPROVED)
    _refuse_unless_status(
        assessment,
        allowed,
        _(
            "Only a submitted assessment can be reopened here; an approved one is reopened with a reason, which voids its approval."
        )
        if assessment.status == AssessmentStatus.APPROVED
        else _("Only a submitted or an approved assessment can be reopened."),
    )
    before = assessment.status
    reason = _reason_clean(reason, required=before == AssessmentStatus.APPROVED)
    _bump(assessment, expected_revision)
    assessment.status = AssessmentStatus.IN_PROGRESS
    assessment.submitted_at = None
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_REOPENED,
        assessment=assessment,
        before={"status": before},
        after={"status": assessment.status, "reason": reason},
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


@dataclass(frozen=True)
class ItemError:
    """Why one item of a bulk save was refused.

    Example: ``ItemError(index=3, field="value", message="Choose one of the offered answers.",
    code="invalid")``; the API shows it as ``items[3].value``.
    """

    index: int
    field: str
    message: str
    code: str = "invalid"


class BulkAnswerError(Exception):
    """Some items of a bulk save were refused; nothing was written. ``errors`` lists them by item."""

    def __init__(self, errors: list[ItemError]):
        self.errors = errors
        super().__init__(f"{len(errors)} item(s) refused")

    @property
    def is_conflict(self) -> bool:
        """Every refusal is a stale revision: the caller should reload and retry (HTTP 409)."""
        return all(e.code == "conflict" for e in self.errors)


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
    errors: list[ItemError] = []
    changed: list[tuple[Answer, dict | None, Question]] = []
    unchanged: list[Answer] = []
    seen: set[int] = set()
    for index, (question_id, data) in enumerate(items):
        if question_id in seen:
            errors.append(
                ItemError(
                    index, "question", _("This question appears twice in the request."), "duplicate"
                )
            )
            continue
        seen.add(question_id)
        question = questions.get(question_id)
        if question is None:
            errors.append(
                ItemError(index, "question", _("This question is not part of the assessment."))
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
                ItemError(
                    index,
                    "revision",
                    _("This answer changed meanwhile (now at revision %(n)d).")
                    % {"n": exc.current_revision},
                    "conflict",
                )
            )
            continue
        except ValidationError as exc:
            for field, messages in (
                exc.message_dict.items()
                if hasattr(exc, "error_dict")
                else [("value", exc.messages)]
            ):
                errors.extend(ItemError(index, field, message) for message in messages)
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


# --- Reviews ---------------------------------------------------------------------------------


class ReviewOpenError(AssessmentStateError):
    """Approval refused: some answers still have an open query or a rejection."""

    def __init__(self, open_reviews: list[QuestionReview]):
        self.open_reviews = open_reviews
        super().__init__(
            {
                "reviews": _("%(n)d answers still have an open query or a rejection.")
                % {"n": len(open_reviews)}
            }
        )


def _reviewer_check(actor: User, assessment: Assessment) -> None:
    """Auditors of the organisation review; anyone else is refused (403, or 404 for outsiders)."""
    access_assessment(user=actor, pk=assessment.pk, review=True)


def _text_clean(text: str, *, field: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Write a comment.")})
    if len(text) > 10_000:
        raise ValidationError({field: _("Keep comments under 10,000 characters.")})
    return text


def _comment_add(
    *, actor: User, assessment: Assessment, question: Question, text: str, resolves: bool = False
) -> ReviewComment:
    comment = ReviewComment(
        assessment=assessment,
        question=question,
        author=actor,
        author_name=actor.get_username(),
        text=text,
        resolves=resolves,
    )
    comment.full_clean(exclude=["assessment", "question", "author"])
    comment.save()
    return comment


@transaction.atomic
def assessment_return(
    *, actor: User, assessment: Assessment, reason: str, expected_revision: int | None = None
) -> Assessment:
    """An auditor sends a submitted assessment back to the officer, with a reason (usually: the
    open queries). The officer may then change answers and submit again."""
    _reviewer_check(actor, assessment)
    assessment = _locked_assessment(assessment)
    _refuse_unless_status(
        assessment,
        {AssessmentStatus.SUBMITTED},
        _("Only an assessment in review can be returned."),
    )
    reason = _reason_clean(reason, required=True)
    _bump(assessment, expected_revision)
    assessment.status = AssessmentStatus.RETURNED
    assessment.save()
    open_queries = QuestionReview.objects.filter(
        assessment=assessment, status__in=[ReviewStatus.QUERY, ReviewStatus.REJECTED]
    ).count()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_RETURNED,
        assessment=assessment,
        before={"status": AssessmentStatus.SUBMITTED},
        after={"status": assessment.status, "reason": reason, "open_queries": open_queries},
    )
    _tell(
        assessment.submitted_by,
        actor,
        kind=NotificationKind.ASSESSMENT_RETURNED,
        title=gettext_noop("Returned with queries: %(assessment)s"),
        params={"assessment": assessment.name},
        url=reverse("assessments:detail", args=[assessment.pk]),
        obj=assessment,
        organisation=assessment.organisation,
    )
    return assessment


@transaction.atomic
def assessment_approved_set(
    *,
    actor: User,
    assessment: Assessment,
    statement: str,
    expected_revision: int | None = None,
) -> Assessment:
    """Mark a submitted assessment approved, checking the four-eyes rule.

    The approver must be an auditor of the organisation (403 otherwise) and not the person who
    submitted it (403); the assessment must be in review (409) with no open query or rejection
    (409). The sign-off that names the approved report snapshot is recorded by
    :func:`reports.services.assessment_approve`, which calls this in its transaction.
    """
    _reviewer_check(actor, assessment)
    assessment = _locked_assessment(assessment)
    if assessment.submitted_by_id == actor.pk:
        raise PermissionDenied(_("The person who submitted an assessment cannot approve it."))
    _refuse_unless_status(
        assessment,
        {AssessmentStatus.SUBMITTED},
        _("Only an assessment in review can be approved."),
    )
    open_reviews = list(
        QuestionReview.objects.filter(
            assessment=assessment, status__in=[ReviewStatus.QUERY, ReviewStatus.REJECTED]
        )
    )
    if open_reviews:
        raise ReviewOpenError(open_reviews)
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("Write the approval statement.")})
    if len(statement) > 2000:
        raise ValidationError({"statement": _("Keep the statement under 2,000 characters.")})
    _bump(assessment, expected_revision)
    assessment.status = AssessmentStatus.APPROVED
    assessment.save()
    _audit(
        actor=actor,
        event=AuditEventType.ASSESSMENT_APPROVED,
        assessment=assessment,
        before={"status": AssessmentStatus.SUBMITTED},
        after={"status": assessment.status, "statement": statement},
    )
    _tell(
        assessment.submitted_by,
        actor,
        kind=NotificationKind.ASSESSMENT_APPROVED,
        title=gettext_noop("Approved: %(assessment)s"),
        params={"assessment": assessment.name},
        url=reverse("assessments:detail", args=[assessment.pk]),
        obj=assessment,
        organisation=assessment.organisation,
    )
    return assessment


@transaction.atomic
def question_review_set(
    *,
    actor: User,
    assessment: Assessment,
    question: Question,
    status: str,
    comment: str = "",
) -> QuestionReview:
    """An auditor's verdict on one answer: accepted, query or rejected.

    A query or a rejection needs a comment, which opens (or continues) the question's thread;
    accepting an open query resolves it. Only while the assessment is in review or returned.
    """
    _reviewer_check(actor, assessment)
    assessment = _locked_assessment(assessment)
    _refuse_unless_status(
        assessment,
        REVIEW_OPEN_STATES,
        _("Answers are reviewed only while the assessment is in review."),
    )
    if status not in ReviewStatus.values:
        raise ValidationError({"status": _("Choose accepted, query or rejected.")})
    text = _text_clean(comment, field="comment", required=status != ReviewStatus.ACCEPTED)
    review = (
        QuestionReview.objects.select_for_update()
        .filter(assessment=assessment, question=question)
        .first()
    )
    before = review.status if review else None
    if review is None:
        review = QuestionReview(assessment=assessment, question=question)
    if before == status and not text:
        return review  # nothing changed: no audit row
    resolves = before in (ReviewStatus.QUERY, ReviewStatus.REJECTED) and status == (
        ReviewStatus.ACCEPTED
    )
    review.status = status
    review.updated_by = actor
    review.full_clean(exclude=["assessment", "question", "updated_by"], validate_unique=False)
    review.save()
    if text:
        _comment_add(
            actor=actor, assessment=assessment, question=question, text=text, resolves=resolves
        )
    _audit(
        actor=actor,
        event=AuditEventType.REVIEW_RESOLVED if resolves else AuditEventType.REVIEW_STATUS_SET,
        assessment=assessment,
        obj=review,
        before={"status": before},
        after={"status": status, "comment": text},
        subject=question.urn,
    )
    if review.status != ReviewStatus.ACCEPTED:
        _tell(
            assessment.submitted_by,
            actor,
            kind=NotificationKind.AUDITOR_QUERY,
            title=gettext_noop("The auditor asks about an answer in %(assessment)s"),
            params={"assessment": assessment.name},
            url=reverse("assessments:detail", args=[assessment.pk]),
            obj=review,
            organisation=assessment.organisation,
        )
    return review


@transaction.atomic
def review_resolve(
    *, actor: User, assessment: Assessment, question: Question, comment: str = ""
) -> QuestionReview:
    """The auditor closes an open query or rejection by accepting the (replied or changed) answer."""
    review = QuestionReview.objects.filter(assessment=assessment, question=question).first()
    if review is None or not review.is_open:
        raise AssessmentStateError({"status": _("This question has no open query.")})
    return question_review_set(
        actor=actor,
        assessment=assessment,
        question=question,
        status=ReviewStatus.ACCEPTED,
        comment=comment or _("Resolved."),
    )


@transaction.atomic
def review_comment_add(
    *, actor: User, assessment: Assessment, question: Question, text: str
) -> ReviewComment:
    """A message in one question's review thread: an officer's reply or an auditor's follow-up.

    Members of the organisation only, while the assessment is in review or returned. Replying
    changes no answer; the officer changes the answer itself through :func:`answer_save`.
    """
    access_assessment(user=actor, pk=assessment.pk)
    assessment = _locked_assessment(assessment)
    _refuse_unless_status(
        assessment,
        REVIEW_OPEN_STATES,
        _("Review comments are open only while the assessment is in review or returned."),
    )
    text = _text_clean(text, field="text", required=True)
    comment = _comment_add(actor=actor, assessment=assessment, question=question, text=text)
    _audit(
        actor=actor,
        event=AuditEventType.REVIEW_COMMENT_ADDED,
        assessment=assessment,
        obj=comment,
        after={"text": text},
        subject=question.urn,
    )
    review = QuestionReview.objects.filter(assessment=assessment, question=question).first()
    if review is not None and review.updated_by_id:
        _tell(
            review.updated_by,
            actor,
            kind=NotificationKind.AUDITOR_REPLY,
            title=gettext_noop("A reply about an answer in %(assessment)s"),
            params={"assessment": assessment.name},
            url=reverse("assessments:detail", args=[assessment.pk]),
            obj=comment,
            organisation=assessment.organisation,
        )
    return comment


# --- Assignments -----------------------------------------------------------------------------

import datetime as dt  # noqa: E402

from django.utils.translation import gettext_noop  # noqa: E402

from assessments.models import (  # noqa: E402
    ACTION_OPEN_STATUSES,
    Action,
    ActionEvidence,
    ActionStatus,
    Assignment,
)
from frameworks.models import Provision, Section  # noqa: E402
from portal.models import Membership, NotificationKind  # noqa: E402
from portal.services import notify  # noqa: E402


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


# --- A whole section not applicable ----------------------------------------------------------


def section_not_applicable(
    *, actor: User, assessment: Assessment, section_id: int, justification: str
) -> list[Answer]:
    """Mark every applicable question of a section (subsections included) not applicable, with
    one justification, all or nothing (through :func:`answers_bulk_save`, so each answer gets its
    revision and audit row). Example: "We do not transfer personal data abroad" for the APPI
    chapter on cross-border transfers."""
    from assessments.selectors import _section_question_ids, pins_of
    from frameworks.selectors import version_content_list

    justification = (justification or "").strip()
    if not justification:
        raise ValidationError({"justification": _("Say why the section does not apply.")})
    sections, provisions, questions = version_content_list(
        versions=[p.version for p in pins_of(assessment)]
    )
    covered = _section_question_ids(sections, provisions, questions).get(section_id)
    if covered is None:
        raise ValidationError({"section": _("No such section in this assessment.")})
    questionnaire = questionnaire_build(assessment=assessment)
    items = [
        (qid, AnswerInput(not_applicable=True, justification=justification))
        for qid, block in questionnaire.questions.items()
        if qid in covered and block.counts
    ]
    return answers_bulk_save(actor=actor, assessment=assessment, items=items)


# --- A newer framework version is published --------------------------------------------------


def framework_version_published_notify(*, version: FrameworkVersion) -> int:
    """Tell the writers of every organisation whose assessments pin an older version of the
    framework that ``version`` is published and an upgrade is offered; returns how many were told.

    One notification per (person, version): organisations with several such assessments get one
    message pointing to the dashboard, where each assessment offers its upgrade.
    """
    from portal.selectors import MemberAccess

    organisations = (
        AssessmentFramework.objects.filter(framework_id=version.framework_id)
        .exclude(version=version)
        .values_list("assessment__organisation_id", flat=True)
        .distinct()
    )
    told = 0
    memberships = Membership.objects.filter(organisation_id__in=list(organisations)).select_related(
        "user", "organisation"
    )
    for membership in memberships:
        if not MemberAccess(membership).can_write:
            continue
        told += (
            notify(
                recipient=membership.user,
                kind=NotificationKind.FRAMEWORK_VERSION_PUBLISHED,
                title=gettext_noop(
                    "New version %(version)s of %(framework)s: an upgrade is offered"
                ),
                params={
                    "version": version.version,
                    "framework": {"ja": version.short_name_ja, "en": version.short_name_en},
                },
                url=reverse("assessments:dashboard"),
                obj=version,
                organisation=membership.organisation,
            )
            is not None
        )
    return told
