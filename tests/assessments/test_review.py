"""The review workflow: every transition of draft → submitted → returned → approved, every refusal,
per-question reviews and their threads, and the audit rows they write."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessments.models import AssessmentStatus, QuestionReview, ReviewComment, ReviewStatus
from assessments.selectors import (
    access_assessment,
    questionnaire_build,
    review_attach,
    review_progress_get,
)
from assessments.services import (
    AnswerInput,
    AssessmentLockedError,
    AssessmentStateError,
    ReviewOpenError,
    answer_save,
    assessment_approved_set,
    assessment_reopen,
    assessment_return,
    assessment_submit,
    question_review_set,
    review_comment_add,
    review_resolve,
)
from portal.models import AuditEvent, AuditEventType
from tests.conftest import question_of
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def q(assessment, suffix):
    return question_of(assessment.pins.get().version, suffix)


def answer(assessment, officer, suffix, value):
    return answer_save(
        actor=officer,
        assessment=assessment,
        question_id=q(assessment, suffix).pk,
        data=AnswerInput(value=value),
    )


@pytest.fixture
def submitted(assessment, officer, auditor):
    answer(assessment, officer, "q:art-7-contact", "partial")
    answer(assessment, officer, "q:pi-channels", ["web"])
    return assessment_submit(actor=officer, assessment=assessment)


def events(assessment, event_type):
    return list(
        AuditEvent.objects.filter(context_id=str(assessment.pk), event_type=event_type).order_by(
            "id"
        )
    )


# --- Submit ----------------------------------------------------------------------------------


def test_submitting_records_the_submitter_locks_answers_and_audits(submitted, officer):
    assert submitted.status == AssessmentStatus.SUBMITTED
    assert submitted.submitted_by == officer and submitted.is_locked
    with pytest.raises(AssessmentLockedError):
        answer(submitted, officer, "q:art-7-contact", "yes")
    (row,) = events(submitted, AuditEventType.ASSESSMENT_SUBMITTED)
    assert row.before == {"status": "in_progress"} and row.after == {"status": "submitted"}


def test_submitting_twice_is_refused(submitted, officer):
    with pytest.raises(AssessmentLockedError):
        assessment_submit(actor=officer, assessment=submitted)


def test_draft_is_labelled_draft_and_keeps_its_stored_value(assessment):
    assert assessment.status == "in_progress"
    assert str(AssessmentStatus(assessment.status).label) == "Draft"


# --- Return ----------------------------------------------------------------------------------


def test_auditor_returns_with_a_reason_and_the_officer_changes_answers_and_resubmits(
    submitted, officer, auditor
):
    returned = assessment_return(actor=auditor, assessment=submitted, reason="See the queries")
    assert returned.status == AssessmentStatus.RETURNED and not returned.is_locked
    (row,) = events(submitted, AuditEventType.ASSESSMENT_RETURNED)
    assert row.after["reason"] == "See the queries" and row.actor == auditor
    answer(returned, officer, "q:art-7-contact", "yes")
    again = assessment_submit(actor=officer, assessment=returned)
    assert again.status == AssessmentStatus.SUBMITTED
    assert events(submitted, AuditEventType.ASSESSMENT_SUBMITTED)[-1].before == {
        "status": "returned"
    }


def test_return_needs_a_reason_and_changes_nothing_without_one(submitted, auditor):
    with pytest.raises(ValidationError) as info:
        assessment_return(actor=auditor, assessment=submitted, reason="  ")
    assert "reason" in info.value.message_dict
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_only_auditors_return_and_only_what_is_in_review(assessment, submitted, officer, auditor):
    with pytest.raises(PermissionDenied):
        assessment_return(actor=officer, assessment=submitted, reason="x")
    assessment_return(actor=auditor, assessment=submitted, reason="x")
    with pytest.raises(AssessmentStateError):
        assessment_return(actor=auditor, assessment=submitted, reason="again")


def test_a_draft_cannot_be_returned(assessment, auditor):
    with pytest.raises(AssessmentStateError):
        assessment_return(actor=auditor, assessment=assessment, reason="x")


# --- Question reviews ------------------------------------------------------------------------


def test_query_needs_a_comment(submitted, auditor):
    with pytest.raises(ValidationError) as info:
        question_review_set(
            actor=auditor,
            assessment=submitted,
            question=q(submitted, "q:art-7-contact"),
            status=ReviewStatus.QUERY,
        )
    assert "comment" in info.value.message_dict
    assert not QuestionReview.objects.exists()


def test_unknown_review_status_is_refused_naming_the_field(submitted, auditor):
    with pytest.raises(ValidationError) as info:
        question_review_set(
            actor=auditor,
            assessment=submitted,
            question=q(submitted, "q:art-7-contact"),
            status="maybe",
        )
    assert "status" in info.value.message_dict


def test_query_reply_and_resolve_thread_with_audit(submitted, officer, auditor):
    question = q(submitted, "q:art-7-contact")
    review = question_review_set(
        actor=auditor,
        assessment=submitted,
        question=question,
        status=ReviewStatus.QUERY,
        comment="Which document is the contact point in?",
    )
    assert review.is_open
    assessment_return(actor=auditor, assessment=submitted, reason="One query")
    review_comment_add(
        actor=officer, assessment=submitted, question=question, text="The privacy notice, §3."
    )
    answer(submitted, officer, "q:art-7-contact", "yes")  # returned: the officer may change it
    resolved = review_resolve(actor=auditor, assessment=submitted, question=question)
    assert resolved.status == ReviewStatus.ACCEPTED
    thread = list(ReviewComment.objects.filter(question=question).order_by("id"))
    assert [(c.author_name, c.resolves) for c in thread] == [
        ("auditor", False),
        ("officer", False),
        ("auditor", True),
    ]
    assert [e.event_type for e in events(submitted, AuditEventType.REVIEW_STATUS_SET)] == [
        AuditEventType.REVIEW_STATUS_SET
    ]
    assert len(events(submitted, AuditEventType.REVIEW_COMMENT_ADDED)) == 1
    (row,) = events(submitted, AuditEventType.REVIEW_RESOLVED)
    assert row.before == {"status": "query"} and row.after["status"] == "accepted"
    assert row.subject == question.urn


def test_auditors_review_but_never_answer_and_officers_never_review(submitted, officer, auditor):
    question = q(submitted, "q:art-7-contact")
    with pytest.raises(PermissionDenied):
        question_review_set(
            actor=officer, assessment=submitted, question=question, status="accepted"
        )
    with pytest.raises(PermissionDenied):
        access_assessment(user=auditor, pk=submitted.pk, write=True)


def test_reviews_and_comments_are_refused_outside_review(assessment, officer, auditor):
    question = q(assessment, "q:art-7-contact")
    with pytest.raises(AssessmentStateError):
        question_review_set(
            actor=auditor, assessment=assessment, question=question, status="accepted"
        )
    with pytest.raises(AssessmentStateError):
        review_comment_add(actor=officer, assessment=assessment, question=question, text="Hi")


def test_resolving_without_an_open_query_is_refused(submitted, auditor):
    with pytest.raises(AssessmentStateError):
        review_resolve(
            actor=auditor, assessment=submitted, question=q(submitted, "q:art-7-contact")
        )


def test_review_progress_counts_each_verdict(submitted, auditor):
    question_review_set(
        actor=auditor,
        assessment=submitted,
        question=q(submitted, "q:art-7-contact"),
        status=ReviewStatus.REJECTED,
        comment="Not enough",
    )
    questionnaire = questionnaire_build(assessment=submitted)
    review_attach(questionnaire=questionnaire)
    progress = review_progress_get(questionnaire=questionnaire)
    counted = sum(1 for b in questionnaire.questions.values() if b.counts)
    assert (progress.accepted, progress.query, progress.rejected) == (0, 0, 1)
    assert progress.not_reviewed == counted - 1 and progress.open == 1


# --- Approve and reopen ----------------------------------------------------------------------


def test_approval_is_refused_while_a_query_is_open(submitted, auditor):
    question_review_set(
        actor=auditor,
        assessment=submitted,
        question=q(submitted, "q:art-7-contact"),
        status=ReviewStatus.QUERY,
        comment="?",
    )
    with pytest.raises(ReviewOpenError):
        assessment_approved_set(actor=auditor, assessment=submitted, statement="OK")
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_approval_needs_an_auditor_other_than_the_submitter(submitted, officer):
    with pytest.raises(PermissionDenied):  # an officer
        assessment_approved_set(actor=officer, assessment=submitted, statement="OK")
    from portal.models import Membership

    Membership.objects.filter(user=officer).update(role="auditor")
    with pytest.raises(PermissionDenied, match="submitted"):  # the submitter, now an auditor
        assessment_approved_set(actor=officer, assessment=submitted, statement="OK")


def test_approval_of_a_draft_or_returned_assessment_is_a_conflict(assessment, submitted, auditor):
    returned = assessment_return(actor=auditor, assessment=submitted, reason="x")
    with pytest.raises(AssessmentStateError):
        assessment_approved_set(actor=auditor, assessment=returned, statement="OK")


def test_approval_needs_a_statement(submitted, auditor):
    with pytest.raises(ValidationError) as info:
        assessment_approved_set(actor=auditor, assessment=submitted, statement=" ")
    assert "statement" in info.value.message_dict


def test_approved_assessment_is_locked_and_reopens_only_with_a_reason(submitted, officer, auditor):
    approved = assessment_approved_set(actor=auditor, assessment=submitted, statement="OK")
    assert approved.status == AssessmentStatus.APPROVED and approved.is_locked
    with pytest.raises(AssessmentLockedError):
        answer(approved, officer, "q:art-7-contact", "yes")
    with pytest.raises(AssessmentStateError):  # the approval lives in reports: reopen there
        assessment_reopen(actor=officer, assessment=approved, reason="Fix")
    with pytest.raises(ValidationError) as info:
        assessment_reopen(actor=officer, assessment=approved, voids_approval=True)
    assert "reason" in info.value.message_dict
    reopened = assessment_reopen(
        actor=officer, assessment=approved, reason="New evidence", voids_approval=True
    )
    assert reopened.status == AssessmentStatus.IN_PROGRESS
    row = events(approved, AuditEventType.ASSESSMENT_REOPENED)[-1]
    assert row.before == {"status": "approved"} and row.after["reason"] == "New evidence"


def test_withdrawing_a_submission_needs_no_reason_and_a_draft_cannot_be_reopened(
    assessment, submitted, officer
):
    draft = assessment_reopen(actor=officer, assessment=submitted)
    assert draft.status == AssessmentStatus.IN_PROGRESS
    with pytest.raises(AssessmentStateError):
        assessment_reopen(actor=officer, assessment=draft)


def test_access_says_who_may_take_which_step(submitted, officer, auditor):
    other = MembershipFactory(
        user__username="auditor2", organisation=submitted.organisation, role="auditor"
    ).user
    as_officer = access_assessment(user=officer, pk=submitted.pk)
    as_auditor = access_assessment(user=auditor, pk=submitted.pk)
    assert not as_officer.can_submit and as_officer.can_reopen and not as_officer.can_review
    assert as_auditor.can_return and as_auditor.can_approve and as_auditor.can_set_review
    assert not as_auditor.can_edit
    assert access_assessment(user=other, pk=submitted.pk).can_approve


# --- Pages -----------------------------------------------------------------------------------


def test_submit_asks_for_confirmation_before_submitting(client, assessment, officer):
    answer(assessment, officer, "q:art-7-contact", "no")
    answer(assessment, officer, "q:pi-channels", ["web"])
    client.force_login(officer)
    url = reverse("assessments:submit", args=[assessment.pk])
    page = client.get(url)
    assert page.status_code == 200 and f'action="{url}"' in page.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    client.post(url, {"revision": assessment.revision})
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED


def test_auditor_queries_an_answer_in_the_page_and_the_officer_replies(
    client, submitted, officer, auditor
):
    question = q(submitted, "q:art-7-contact")
    client.force_login(auditor)
    response = client.post(
        reverse("assessments:review", args=[submitted.pk, question.pk]),
        {"status": "query", "comment": "Which notice?"},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#question-{question.pk}")
    section = client.get(response["Location"]).content.decode()
    assert "Which notice?" in section and 'class="review-form"' in section
    assert 'class="answer-form"' not in section  # auditors never get the answer form
    client.post(reverse("assessments:return", args=[submitted.pk]), {"reason": "One query"})
    client.force_login(officer)
    section = client.get(response["Location"]).content.decode()
    assert 'class="reply-form"' in section and 'class="review-form"' not in section
    assert "監査担当者から差し戻されました" in section  # the returned banner, in Japanese
    client.post(
        reverse("assessments:review_comment", args=[submitted.pk, question.pk]),
        {"text": "The privacy notice"},
    )
    assert ReviewComment.objects.filter(author=officer, text="The privacy notice").exists()
    reviews = client.get(reverse("assessments:reviews", args=[submitted.pk])).content.decode()
    assert question.prompt_ja in reviews  # the client reads Japanese, the default


def test_return_page_refuses_officers(client, submitted, officer):
    client.force_login(officer)
    assert client.get(reverse("assessments:return", args=[submitted.pk])).status_code == 403


# --- API -------------------------------------------------------------------------------------


def test_review_api_query_reply_resolve_and_open_filter(submitted, officer, auditor):
    from rest_framework.test import APIClient

    question = q(submitted, "q:art-7-contact")
    as_auditor, as_officer = APIClient(), APIClient()
    as_auditor.force_authenticate(auditor)
    as_officer.force_authenticate(officer)
    base = f"/api/v1/assessments/{submitted.pk}"
    missing = as_auditor.post(
        f"{base}/reviews/", {"question": question.pk, "status": "query"}, format="json"
    )
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "comment"
    created = as_auditor.post(
        f"{base}/reviews/",
        {"question": question.pk, "status": "query", "comment": "Which notice?"},
        format="json",
    )
    assert created.status_code == 200 and created.json()["status"] == "query"
    open_only = as_officer.get(f"{base}/reviews/", {"open": "true"}).json()
    rows = open_only["results"] if isinstance(open_only, dict) else open_only
    assert [r["question"] for r in rows] == [question.pk]
    assert (
        as_officer.post(
            f"{base}/reviews/", {"question": question.pk, "status": "accepted"}, format="json"
        ).status_code
        == 403
    )
    reply = as_officer.post(
        f"{base}/questions/{question.pk}/comments/", {"text": "Privacy notice"}, format="json"
    )
    assert reply.status_code == 201 and reply.json()["author_name"] == "officer"
    resolved = as_auditor.post(f"{base}/questions/{question.pk}/resolve/", {}, format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "accepted"
    again = as_auditor.post(f"{base}/questions/{question.pk}/resolve/", {}, format="json")
    assert again.status_code == 409
    thread = as_officer.get(f"{base}/questions/{question.pk}/comments/").json()
    texts = [c["text"] for c in (thread["results"] if isinstance(thread, dict) else thread)]
    assert texts[:2] == ["Which notice?", "Privacy notice"] and len(texts) == 3
    answers = as_auditor.post(
        f"{base}/answers/", {"items": [{"question": question.pk, "value": "no"}]}, format="json"
    )
    assert answers.status_code == 403  # auditors review, never answer


def test_return_api_needs_a_reason_and_conflicts_outside_review(assessment, submitted, auditor):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(auditor)
    url = f"/api/v1/assessments/{submitted.pk}/return/"
    assert api.post(url, {}, format="json").json()["errors"][0]["field"] == "reason"
    assert api.post(url, {"reason": "Queries"}, format="json").json()["status"] == "returned"
    assert api.post(url, {"reason": "Again"}, format="json").status_code == 409
