"""The questionnaire workbook: export, offline edits, import all or nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from assessments.models import Answer
from assessments.services import (
    AnswerInput,
    WorkbookImportError,
    answer_save,
    answers_workbook_import,
    assessment_submit,
)
from assessments.workbooks import COLUMN_INDEX, questionnaire_workbook_build
from portal.models import AuditEvent, AuditEventType
from tests.conftest import question_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _rows(content: bytes) -> tuple:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    return workbook, sheet, {row[0].value: row for row in sheet.iter_rows(min_row=2)}


def _cell(rows, urn_suffix: str, column: str):
    row = next(r for urn, r in rows.items() if urn.endswith(urn_suffix))
    return row[COLUMN_INDEX[column]]


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_export_has_one_sheet_per_framework_a_frozen_header_and_answer_dropdowns(
    assessment, officer
):
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=question.pk,
        data=AnswerInput(value="partial", comment="Drafted"),
    )
    content = questionnaire_workbook_build(assessment=assessment, language="en")
    workbook, sheet, rows = _rows(content)
    assert len(workbook.worksheets) == 1 and sheet.title.startswith("Example")
    assert sheet.freeze_panes == "B2"
    assert [c.value for c in sheet[1]][:6] == [
        "Question ID",
        "Reference",
        "Question (Japanese)",
        "Question (English)",
        "Choices",
        "Answer",
    ]
    assert _cell(rows, "q:art-7-contact", "answer").value == "Partly"
    assert _cell(rows, "q:art-7-contact", "comment").value == "Drafted"
    assert _cell(rows, "q:art-7-contact", "revision").value == 1
    validations = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert '"Yes,Partly,No"' in validations
    assert sheet.column_dimensions["C"].width >= 40


def test_export_headers_and_labels_follow_the_language(assessment):
    content = questionnaire_workbook_build(assessment=assessment, language="ja")
    _workbook, sheet, rows = _rows(content)
    assert sheet[1][0].value == "質問ID"
    assert "はい" in _cell(rows, "q:art-7-contact", "choices").value


def test_a_workbook_filled_offline_imports_and_is_audited(assessment, officer):
    workbook, _sheet, rows = _rows(
        questionnaire_workbook_build(assessment=assessment, language="en")
    )
    _cell(
        rows, "q:art-7-contact", "answer"
    ).value = "はい"  # a label in the other language is accepted
    _cell(rows, "q:art-7-contact", "comment").value = "Named contact: legal team"
    _cell(rows, "q:pi-channels", "answer").value = "Web; Paper"
    result = answers_workbook_import(
        actor=officer,
        assessment=assessment,
        name="filled.xlsx",
        content=_save(workbook),
        language="en",
    )
    assert (result.changed, result.unchanged) == (2, 1)  # the empty follow-up row changes nothing
    values = {
        a.question.urn.rsplit(":", 1)[-1]: a.value
        for a in Answer.objects.filter(assessment=assessment)
    }
    assert values == {"art-7-contact": "yes", "pi-channels": ["web", "paper"]}
    events = AuditEvent.objects.filter(context_id=str(assessment.pk))
    assert events.filter(event_type=AuditEventType.ANSWER_SAVED).count() == 2
    imported = events.get(event_type=AuditEventType.ANSWERS_IMPORTED)
    assert imported.after["file"] == "filled.xlsx" and imported.after["changed"] == 2


def test_importing_the_unchanged_export_changes_nothing(assessment, officer):
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(value="no")
    )
    content = questionnaire_workbook_build(assessment=assessment, language="ja")
    result = answers_workbook_import(
        actor=officer, assessment=assessment, name="same.xlsx", content=content, language="ja"
    )
    assert result.changed == 0 and result.unchanged == 3  # every row of the sheet
    assert Answer.objects.get(assessment=assessment, question=question).revision == 1


def test_every_bad_row_is_listed_with_sheet_row_and_column_and_nothing_is_written(
    assessment, officer
):
    workbook, sheet, rows = _rows(
        questionnaire_workbook_build(assessment=assessment, language="en")
    )
    _cell(rows, "q:art-7-contact", "answer").value = "Maybe"
    _cell(
        rows, "q:pi-channels", "answer"
    ).value = "Web"  # valid, but the file as a whole is refused
    sheet.append(["urn:tekigo:fw:example-act:q:no-such-question", "", "", "", "", "Yes"])
    audit_before = AuditEvent.objects.count()
    with pytest.raises(WorkbookImportError) as caught:
        answers_workbook_import(
            actor=officer,
            assessment=assessment,
            name="bad.xlsx",
            content=_save(workbook),
            language="en",
        )
    where = {e.where: e.message for e in caught.value.errors}
    contact_row = _cell(rows, "q:art-7-contact", "answer").row
    assert (
        f"{sheet.title}!F{contact_row}" in where
        and "Maybe" in where[f"{sheet.title}!F{contact_row}"]
    )
    assert any(w.endswith(f"!A{sheet.max_row}") for w in where)
    assert Answer.objects.filter(assessment=assessment).count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_an_answer_changed_in_tekigo_since_the_export_is_a_conflict_showing_both_values(
    assessment, officer
):
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(value="no")
    )
    workbook, _sheet, rows = _rows(
        questionnaire_workbook_build(assessment=assessment, language="en")
    )
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=question.pk,
        data=AnswerInput(value="partial", revision=1),
    )
    _cell(rows, "q:art-7-contact", "answer").value = "Yes"
    with pytest.raises(WorkbookImportError) as caught:
        answers_workbook_import(
            actor=officer,
            assessment=assessment,
            name="stale.xlsx",
            content=_save(workbook),
            language="en",
        )
    (error,) = caught.value.errors
    assert error.column == "K" and "Partly" in error.message and "Yes" in error.message
    assert Answer.objects.get(assessment=assessment, question=question).value == "partial"


def test_a_locked_assessment_refuses_an_import(assessment, officer):
    for suffix, value in (("q:art-7-contact", "yes"), ("q:pi-channels", ["web"])):
        question = question_of(assessment.pins.get().version, suffix)
        answer_save(
            actor=officer,
            assessment=assessment,
            question_id=question.pk,
            data=AnswerInput(value=value),
        )
    assessment_submit(actor=officer, assessment=assessment)
    content = questionnaire_workbook_build(assessment=assessment, language="en")
    from assessments.services import AssessmentLockedError

    with pytest.raises(AssessmentLockedError):
        answers_workbook_import(
            actor=officer, assessment=assessment, name="x.xlsx", content=content
        )


def test_a_file_that_is_not_a_workbook_is_refused_with_a_message(assessment, officer):
    with pytest.raises(WorkbookImportError) as caught:
        answers_workbook_import(
            actor=officer, assessment=assessment, name="x.xlsx", content=b"not a zip"
        )
    assert "not an Excel workbook" in caught.value.errors[0].message


def test_pages_export_for_members_and_import_for_officers_only(
    client, assessment, officer, auditor, other_officer
):
    export = reverse("assessments:export_xlsx", args=[assessment.pk])
    upload = reverse("assessments:import_xlsx", args=[assessment.pk])
    client.force_login(auditor)
    response = client.get(export)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = response.content
    assert client.post(upload, {"file": SimpleUploadedFile("a.xlsx", content)}).status_code == 403
    client.force_login(other_officer)
    assert client.get(export).status_code == 404
    client.force_login(officer)
    workbook, _sheet, rows = _rows(content)
    _cell(rows, "q:art-7-contact", "answer").value = "Nope"
    response = client.post(upload, {"file": SimpleUploadedFile("a.xlsx", _save(workbook))})
    assert response.status_code == 400 and b"Nope" in response.content
    _cell(rows, "q:art-7-contact", "answer").value = "Yes"
    response = client.post(upload, {"file": SimpleUploadedFile("a.xlsx", _save(workbook))})
    assert response.status_code == 302
    assert Answer.objects.get(assessment=assessment).value == "yes"


def test_the_review_status_column_shows_the_auditors_verdict(assessment, officer, auditor):
    from assessments.services import question_review_set

    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(value="yes")
    )
    pi = question_of(assessment.pins.get().version, "q:pi-channels")
    answer_save(
        actor=officer, assessment=assessment, question_id=pi.pk, data=AnswerInput(value=["web"])
    )
    assessment_submit(actor=officer, assessment=assessment)
    question_review_set(
        actor=auditor,
        assessment=assessment,
        question=question,
        status="query",
        comment="Which team?",
    )
    _workbook, _sheet, rows = _rows(
        questionnaire_workbook_build(assessment=assessment, language="en")
    )
    assert _cell(rows, "q:art-7-contact", "review").value == "Query"
    assert _cell(rows, "q:pi-channels", "review").value is None
