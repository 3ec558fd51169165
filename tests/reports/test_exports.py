"""Gap exports: CSV in UTF-8 with a BOM and .xlsx, in the reader's language, for members only."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assessments.services import AnswerInput, answer_save
from reports.analysis import gap_analysis_compute
from reports.exports import gap_rows, gaps_csv
from tests.conftest import question_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def gapped(assessment, officer):
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(value="no")
    )
    return assessment


def test_csv_has_a_bom_and_one_row_per_gap_in_japanese(gapped):
    snapshot = gap_analysis_compute(assessment=gapped)
    content = gaps_csv(snapshot, "ja")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["フレームワーク", "参照", "規定"]
    assert len(rows) == 1 + len(snapshot.gaps) and len(snapshot.gaps) >= 1


def test_rows_name_severity_status_and_what_to_do(gapped):
    headers, rows = gap_rows(gap_analysis_compute(assessment=gapped), "en")
    assert headers[3:5] == ["Severity", "Status"]
    art7 = next(r for r in rows if r[1] == "Art. 7")
    assert art7[4] == "Gap" and art7[5] == "0%" and art7[7]


def test_what_to_do_lists_the_questions_the_reports_gap_lists(assessment):
    """One rule for the PDF and the exports (ProvisionResult.gap_questions): a required question
    left unanswered falls short even when it carries no score (a text question), so its
    remediation is in the row as it is in the report's gap."""
    from reports.snapshot import QuestionResult

    snapshot = gap_analysis_compute(assessment=assessment)  # nothing answered yet
    art7 = next(g for g in snapshot.gaps if g.ref == "Art. 7")
    art7.questions.append(
        QuestionResult(
            urn="urn:tekigo:fw:example-act:q:art-7-record",
            prompt_ja="記録",
            prompt_en="Where is it recorded?",
            type="text",
            score=None,
            answered=False,
            required=True,
            remediation_ja="記録を残してください。",
            remediation_en="Keep a record.",
        )
    )
    headers, rows = gap_rows(snapshot, "en")

    row = next(r for r in rows if r[1] == "Art. 7")
    assert row[7].split("\n") == ["Name a contact.", "Keep a record."]
    for gap, row in zip(snapshot.gaps, rows, strict=True):
        assert row[7] == "\n".join(q.remediation_en for q in gap.gap_questions)


def test_pages_serve_both_formats_to_members_only(client, gapped, auditor, other_officer):
    client.force_login(auditor)
    xlsx = client.get(reverse("reports:gaps_export", args=[gapped.pk, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row >= 2 and sheet.freeze_panes == "A2"
    assert client.get(reverse("reports:gaps_export", args=[gapped.pk, "csv"])).status_code == 200
    client.force_login(other_officer)
    assert client.get(reverse("reports:gaps_export", args=[gapped.pk, "csv"])).status_code == 404


def test_the_action_plan_exports_as_csv_and_xlsx_for_members_only(
    client, assessment, officer, auditor, other_officer
):
    from assessments.models import Action

    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    action = Action.objects.create(
        organisation=assessment.organisation,
        assessment=assessment,
        title="Name a contact point",
        owner=officer,
    )
    action.questions.add(question)
    client.force_login(auditor)
    response = client.get(reverse("reports:actions_export", args=[assessment.pk, "csv"]))
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "Name a contact point" and rows[1][1] == "officer"
    xlsx = client.get(reverse("reports:actions_export", args=[assessment.pk, "xlsx"]))
    assert (
        load_workbook(io.BytesIO(xlsx.content)).active.cell(row=2, column=1).value
        == "Name a contact point"
    )
    client.force_login(other_officer)
    assert (
        client.get(reverse("reports:actions_export", args=[assessment.pk, "csv"])).status_code
        == 404
    )
