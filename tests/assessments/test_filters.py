"""Questionnaire filters and search."""

from __future__ import annotations

import pytest

from assessments.models import Answer
from assessments.selectors import (
    QuestionFilters,
    question_search_ids,
    questionnaire_build,
    questionnaire_filter,
)
from assessments.services import AnswerInput, answer_save
from tests.conftest import question_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(assessment):
    return assessment.pins.get().version


def _urns(blocks):
    return sorted(b.question.urn.rsplit(":", 1)[-1] for b in blocks)


def _filter(assessment, **kwargs):
    return questionnaire_filter(
        questionnaire=questionnaire_build(assessment=assessment),
        filters=QuestionFilters(**kwargs),
    )


def test_unanswered_and_severity_filters(assessment, officer, version):
    contact = question_of(version, "q:art-7-contact")
    before = _urns(_filter(assessment, unanswered=True))
    assert "art-7-contact" in before
    answer_save(
        actor=officer, assessment=assessment, question_id=contact.pk, data=AnswerInput(value="no")
    )
    assert "art-7-contact" not in _urns(_filter(assessment, unanswered=True))
    # Art. 7 binds without sanction (medium); the personal-information item is binding (high).
    assert "art-7-contact" in _urns(_filter(assessment, severity="medium"))
    assert "art-7-contact" not in _urns(_filter(assessment, severity="high"))
    assert "pi-channels" in _urns(_filter(assessment, severity="high"))


def test_needs_review_and_evidence_missing_filters(assessment, officer, version):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.services import evidence_upload

    contact = question_of(version, "q:art-7-contact")
    channels = question_of(version, "q:pi-channels")  # evidence expected, in the file
    assert _urns(_filter(assessment, evidence_missing=True)) == ["pi-channels"]
    evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=channels.pk,
        upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    assert _filter(assessment, evidence_missing=True) == []
    answer_save(
        actor=officer, assessment=assessment, question_id=contact.pk, data=AnswerInput(value="yes")
    )
    assert _filter(assessment, needs_review=True) == []
    Answer.objects.filter(question=contact).update(needs_review=True)
    assert _urns(_filter(assessment, needs_review=True)) == ["art-7-contact"]


def test_assigned_to_me_uses_the_viewers_questions(assessment, version):
    contact = question_of(version, "q:art-7-contact")
    blocks = questionnaire_filter(
        questionnaire=questionnaire_build(assessment=assessment),
        filters=QuestionFilters(assigned_to_me=True),
        assigned_ids={contact.pk},
    )
    assert _urns(blocks) == ["art-7-contact"]


def test_search_matches_question_text_and_answer_comments(assessment, officer, version):
    contact = question_of(version, "q:art-7-contact")
    assert contact.pk in question_search_ids(assessment=assessment, text="CONTACT")
    assert contact.pk in question_search_ids(assessment=assessment, text="窓口")
    pi = question_of(version, "q:pi-channels")
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=pi.pk,
        data=AnswerInput(value=["web"], comment="Reviewed with the vendor in May"),
    )
    assert question_search_ids(assessment=assessment, text="vendor") == {pi.pk}
    assert question_search_ids(assessment=assessment, text="nothing like this") == set()


def test_the_filter_page_shows_matching_questions_for_members_only(
    client, assessment, officer, auditor, version
):
    contact = question_of(version, "q:art-7-contact")
    client.force_login(officer)
    page = client.get(f"/assessments/{assessment.pk}/questions/?text=contact")
    assert page.status_code == 200
    assert f'id="question-{contact.pk}"' in page.content.decode()
    assert 'class="answer-form"' in page.content.decode()
    client.force_login(auditor)
    page = client.get(f"/assessments/{assessment.pk}/questions/?unanswered=on")
    assert page.status_code == 200 and 'class="answer-form"' not in page.content.decode()


def test_a_whole_section_is_marked_not_applicable_with_one_justification(
    client, assessment, officer, version
):
    from frameworks.models import Section
    from portal.models import AuditEvent

    chapter2 = Section.objects.get(version=version, key="ch2")
    client.force_login(officer)
    url = f"/assessments/{assessment.pk}/sections/{chapter2.pk}/not-applicable/"
    client.post(url, {"justification": "  "})
    assert not Answer.objects.exists()  # no reason, nothing written
    response = client.post(url, {"justification": "We hold no personal information"})
    assert response.status_code == 302
    answers = Answer.objects.filter(assessment=assessment)
    assert answers.count() >= 1
    assert all(a.not_applicable for a in answers)
    assert {a.justification for a in answers} == {"We hold no personal information"}
    assert question_of(version, "q:art-7-contact").pk not in {a.question_id for a in answers}
    assert AuditEvent.objects.filter(event_type="answer.saved").count() == answers.count()
