"""The questionnaire at scale (issue 12): the open-query filter, the grouped list of missing
answers, skip links, old section links after an upgrade, and the print stylesheet."""

from __future__ import annotations

import pytest

from assessments.selectors import (
    QuestionFilters,
    open_query_question_ids,
    question_review_list,
    questionnaire_build,
    questionnaire_filter,
)
from assessments.services import (
    AnswerInput,
    answer_save,
    assessment_submit,
    question_review_set,
)
from tests.conftest import question_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def version(assessment):
    return assessment.pins.get().version


def _save(assessment, officer, question, value):
    answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(value=value)
    )


@pytest.fixture
def reviewed(assessment, officer, auditor, version):
    """Submitted; the auditor queried the contact question, accepted the channels question."""
    contact = question_of(version, "q:art-7-contact")
    channels = question_of(version, "q:pi-channels")
    _save(assessment, officer, contact, "partial")
    _save(assessment, officer, channels, ["web"])
    assessment_submit(actor=officer, assessment=assessment)
    question_review_set(
        actor=auditor,
        assessment=assessment,
        question=contact,
        status="query",
        comment="Who is the contact?",
    )
    question_review_set(actor=auditor, assessment=assessment, question=channels, status="accepted")
    return assessment


# --- Open query filter ---------------------------------------------------------------------------


def test_open_query_ids_are_the_questions_the_reviews_page_lists_as_open(reviewed, version):
    contact = question_of(version, "q:art-7-contact")
    assert open_query_question_ids(assessment=reviewed) == {contact.pk}
    assert open_query_question_ids(assessment=reviewed) == {
        r.question_id for r in question_review_list(assessment=reviewed, open_only=True)
    }


def test_open_query_filter_keeps_only_questions_with_an_open_query(reviewed, version):
    blocks = questionnaire_filter(
        questionnaire=questionnaire_build(assessment=reviewed),
        filters=QuestionFilters(open_query=True),
        open_query_ids=open_query_question_ids(assessment=reviewed),
    )
    assert [b.question.urn.rsplit(":", 1)[-1] for b in blocks] == ["art-7-contact"]
    assert QuestionFilters(open_query=True).any


def test_open_query_filter_is_empty_without_queries(assessment):
    blocks = questionnaire_filter(
        questionnaire=questionnaire_build(assessment=assessment),
        filters=QuestionFilters(open_query=True),
        open_query_ids=open_query_question_ids(assessment=assessment),
    )
    assert blocks == []


def test_the_filter_page_lists_open_queries_for_members_and_404s_for_others(
    client, reviewed, officer, other_officer, version
):
    contact = question_of(version, "q:art-7-contact")
    channels = question_of(version, "q:pi-channels")
    url = f"/assessments/{reviewed.pk}/questions/?open_query=on"
    client.force_login(officer)
    page = client.get(url)
    content = page.content.decode()
    assert page.status_code == 200
    assert 'name="open_query"' in content and "Open query" in content
    assert f'id="question-{contact.pk}"' in content
    assert f'id="question-{channels.pk}"' not in content
    client.force_login(other_officer)
    assert client.get(url).status_code == 404
