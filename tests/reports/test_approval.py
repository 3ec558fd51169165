"""Approval: the four-eyes sign-off bound to the SHA-256 of the report snapshot it approves, what
the report panel, the API and the PDF metadata say about it, and voiding it by reopening."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import AssessmentStatus, ReviewStatus
from assessments.services import (
    AnswerInput,
    AssessmentStateError,
    answer_save,
    assessment_submit,
    question_review_set,
)
from portal.models import AuditEvent, AuditEventType
from reports.models import Report, SignOff
from reports.selectors import report_list
from reports.services import (
    assessment_approve,
    assessment_reopen_approved,
    report_meta,
    report_request,
)
from reports.tasks import report_render_task
from tests.conftest import question_of

pytestmark = pytest.mark.django_db
STATEMENT = "I reviewed the answers and the evidence and approve this self-assessment."


@pytest.fixture(autouse=True)
def _no_broker():
    with mock.patch.object(report_render_task, "apply_async"):  # the broker: edge of the world
        yield


@pytest.fixture
def submitted(assessment, officer, auditor):
    version = assessment.pins.get().version
    for suffix, value in (("q:art-7-contact", "yes"), ("q:pi-channels", ["web"])):
        answer_save(
            actor=officer,
            assessment=assessment,
            question_id=question_of(version, suffix).pk,
            data=AnswerInput(value=value),
        )
    return assessment_submit(actor=officer, assessment=assessment)


def approve(assessment, auditor, **kwargs):
    return assessment_approve(
        actor=auditor,
        assessment=assessment,
        statement=kwargs.get("statement", STATEMENT),
        language=kwargs.get("language", "en"),
    )


def test_approval_signs_the_statement_bound_to_a_new_reports_snapshot(submitted, auditor):
    signoff = approve(submitted, auditor)
    report = signoff.report
    assert signoff.snapshot_sha256 == report.snapshot_sha256
    assert (signoff.approver_name, signoff.approver_role) == ("auditor", "Auditor")
    assert signoff.statement == STATEMENT and signoff.is_live
    assert report.snapshot["assessment"]["status"] == AssessmentStatus.APPROVED
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.APPROVED
    recorded = AuditEvent.objects.get(event_type=AuditEventType.SIGNOFF_RECORDED)
    assert recorded.after["snapshot_sha256"] == report.snapshot_sha256
    assert AuditEvent.objects.filter(event_type=AuditEventType.ASSESSMENT_APPROVED).count() == 1


def test_report_meta_carries_stage_and_sign_off_for_the_approved_report_only(
    submitted, officer, auditor
):
    draft_meta = report_meta(report_request(actor=officer, assessment=submitted, language="en"))
    assert draft_meta["stage"] == "submitted" and draft_meta["approval"] is None
    signoff = approve(submitted, auditor)
    meta = report_meta(signoff.report)
    assert meta["stage"] == "approved"
    assert set(meta["approval"]) == {
        "statement",
        "approved_by",
        "approved_by_role",
        "approved_at",
        "prepared_by",
        "submitted_at",
        "reviewed_by",
    }
    assert all(isinstance(v, str) and v for v in meta["approval"].values())
    assert meta["approval"]["prepared_by"] == "officer"
    assert meta["approval"]["approved_by"] == "auditor"
    later = report_request(actor=officer, assessment=submitted, language="ja")
    assert report_meta(later)["approval"] is None  # a newer snapshot is not approved
    assert {r.pk: r.approved for r in report_list(assessment=submitted)} == {
        later.pk: False,
        signoff.report_id: True,
        int(draft_meta["report_id"]): False,
    }


def test_reopening_voids_the_sign_off_with_its_reason(submitted, officer, auditor):
    signoff = approve(submitted, auditor)
    with pytest.raises(ValidationError):
        assessment_reopen_approved(actor=officer, assessment=submitted, reason="")
    assert SignOff.objects.get().is_live  # nothing changed
    assessment_reopen_approved(actor=officer, assessment=submitted, reason="New evidence")
    signoff.refresh_from_db()
    assert signoff.voided_at is not None and signoff.void_reason == "New evidence"
    assert report_meta(signoff.report)["approval"] is None
    assert report_meta(signoff.report)["stage"] == "submitted"
    assert not Report.objects.filter(pk=signoff.report_id).filter(
        pk__in=[r.pk for r in report_list(assessment=submitted) if r.approved]
    )
    voided = AuditEvent.objects.get(event_type=AuditEventType.SIGNOFF_VOIDED)
    assert voided.after["reason"] == "New evidence"


def test_reapproval_after_reopen_approves_only_the_newest_snapshot(submitted, officer, auditor):
    first = approve(submitted, auditor)
    assessment_reopen_approved(actor=officer, assessment=submitted, reason="Fix")
    assessment_submit(actor=officer, assessment=submitted)
    second = approve(submitted, auditor)
    approved = [r.pk for r in report_list(assessment=submitted) if r.approved]
    assert approved == [second.report_id] and first.report_id not in approved


def test_failed_approval_writes_nothing(submitted, auditor):
    question_review_set(
        actor=auditor,
        assessment=submitted,
        question=question_of(submitted.pins.get().version, "q:art-7-contact"),
        status=ReviewStatus.QUERY,
        comment="?",
    )
    with pytest.raises(AssessmentStateError):
        approve(submitted, auditor)
    assert not Report.objects.exists() and not SignOff.objects.exists()
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.SUBMITTED


def test_the_submitter_cannot_approve(submitted, officer):
    from portal.models import Membership

    Membership.objects.filter(user=officer).update(role="auditor")
    with pytest.raises(PermissionDenied):
        approve(submitted, officer)
    assert not SignOff.objects.exists()


def test_approve_page_confirms_then_the_panel_marks_the_approved_report(client, submitted, auditor):
    client.force_login(auditor)
    url = reverse("reports:approve", args=[submitted.pk])
    page = client.get(url).content.decode()
    assert 'name="statement"' in page and f'action="{url}"' in page
    assert not SignOff.objects.exists()
    response = client.post(url, {"statement": STATEMENT, "language": "en"})
    assert response.status_code == 302
    signoff = SignOff.objects.get()
    panel = client.get(reverse("reports:panel", args=[submitted.pk])).content.decode()
    assert f'id="report-{signoff.report_id}"' in panel and "report-approved" in panel


def test_approve_page_shows_a_missing_statement_as_a_400(client, submitted, auditor):
    client.force_login(auditor)
    response = client.post(
        reverse("reports:approve", args=[submitted.pk]), {"statement": " ", "language": "en"}
    )
    assert response.status_code == 400 and not SignOff.objects.exists()


def test_api_approves_with_201_refuses_a_second_time_with_409_and_lists_approved(
    submitted, auditor
):
    api = APIClient()
    api.force_authenticate(auditor)
    url = f"/api/v1/assessments/{submitted.pk}/approve/"
    response = api.post(url, {"statement": STATEMENT, "language": "ja"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["report"]["approved"] is True
    assert body["snapshot_sha256"] == body["report"]["snapshot_sha256"]
    again = api.post(url, {"statement": STATEMENT, "language": "ja"}, format="json")
    assert again.status_code == 409
    listed = api.get(f"/api/v1/assessments/{submitted.pk}/reports/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["approved"] for r in rows] == [True]


def test_api_reopen_of_an_approved_assessment_needs_a_reason(submitted, officer, auditor):
    approve(submitted, auditor)
    api = APIClient()
    api.force_authenticate(officer)
    url = f"/api/v1/assessments/{submitted.pk}/approval/reopen/"
    missing = api.post(url, {}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "reason"
    done = api.post(url, {"reason": "New evidence"}, format="json")
    assert done.status_code == 200 and done.json()["void_reason"] == "New evidence"


def test_reopen_page_of_an_approved_assessment_posts_to_the_approval_and_voids_it(
    client, submitted, officer, auditor
):
    approve(submitted, auditor)
    client.force_login(officer)
    detail = client.get(reverse("assessments:detail", args=[submitted.pk])).content.decode()
    assert reverse("assessments:reopen", args=[submitted.pk]) in detail
    page = client.get(reverse("assessments:reopen", args=[submitted.pk])).content.decode()
    action = reverse("reports:reopen", args=[submitted.pk])
    assert f'action="{action}"' in page and 'name="reason"' in page and "required" in page
    client.post(action, {"reason": ""})
    assert SignOff.objects.get().is_live  # no reason, no reopening
    client.post(action, {"reason": "New evidence arrived"})
    submitted.refresh_from_db()
    assert submitted.status == AssessmentStatus.IN_PROGRESS
    assert SignOff.objects.get().void_reason == "New evidence arrived"
