"""Importing answers from the questionnaire workbook."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction

from assessments.models import (
    Assessment,
)
from portal.models import AuditEventType, User

from ._shared import _audit, _refuse_if_locked
from .answers import AnswerInput
from .bulk import BulkAnswerError, answers_bulk_save

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
