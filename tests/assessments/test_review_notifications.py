"""The review workflow and the report pipeline tell the people concerned (notify(), once)."""

import pytest

from assessments.services import (
    AnswerInput,
    answer_save,
    assessment_return,
    assessment_submit,
    question_review_set,
    review_comment_add,
)
from portal.models import Notification, NotificationKind
from reports.services import report_render, report_request
from tests.conftest import question_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(assessment, officer):
    version = assessment.pins.get().version
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=question_of(version, "q:art-7-contact").pk,
        data=AnswerInput(value="yes"),
    )
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=question_of(version, "q:pi-channels").pk,
        data=AnswerInput(value=["web"]),
    )
    return assessment_submit(actor=officer, assessment=assessment)


def kinds(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True)
    )


def test_a_query_a_reply_and_a_return_reach_the_other_side(
    submitted, officer, auditor, django_capture_on_commit_callbacks
):
    question = question_of(submitted.pins.get().version, "q:art-7-contact")
    with django_capture_on_commit_callbacks(execute=True):
        question_review_set(
            actor=auditor, assessment=submitted, question=question, status="query", comment="Who?"
        )
        review_comment_add(
            actor=officer, assessment=submitted, question=question, text="The legal team."
        )
        assessment_return(actor=auditor, assessment=submitted, reason="One query open")
    assert kinds(officer) == [NotificationKind.AUDITOR_QUERY, NotificationKind.ASSESSMENT_RETURNED]
    assert kinds(auditor) == [NotificationKind.AUDITOR_REPLY]


def test_an_accepted_answer_tells_nobody(
    submitted, officer, auditor, django_capture_on_commit_callbacks
):
    question = question_of(submitted.pins.get().version, "q:art-7-contact")
    with django_capture_on_commit_callbacks(execute=True):
        question_review_set(
            actor=auditor, assessment=submitted, question=question, status="accepted"
        )
    assert kinds(officer) == []


def test_the_requester_hears_when_the_report_is_ready(
    assessment, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        report = report_request(actor=officer, assessment=assessment, language="en")
    with django_capture_on_commit_callbacks(execute=True):
        report_render(report_id=report.pk, worker="t:1")
    assert kinds(officer) == [NotificationKind.REPORT_READY]


def test_a_newer_published_version_tells_the_writers_of_pinned_assessments_once(
    assessment, officer, auditor, staff, django_capture_on_commit_callbacks
):
    from frameworks.services import framework_version_clone, framework_version_publish

    version = assessment.pins.get().version
    draft = framework_version_clone(actor=staff, version=version, label="2.0")
    with django_capture_on_commit_callbacks(execute=True):
        framework_version_publish(actor=staff, version=draft)
    assert kinds(officer) == [NotificationKind.FRAMEWORK_VERSION_PUBLISHED]
    assert kinds(auditor) == []  # auditors do not upgrade assessments
