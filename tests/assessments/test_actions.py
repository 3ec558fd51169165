"""Remediation actions: from a gap to done (with evidence) or to an accepted risk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessments.models import Action, ActionEvidence, ActionStatus
from assessments.selectors import ActionFilters, action_list
from assessments.services import ActionInput, action_create, action_evidence_upload, action_update
from portal.models import AuditEvent
from tests.conftest import question_of
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def question(assessment):
    return question_of(assessment.pins.get().version, "q:art-7-contact")


def _create(assessment, officer, question, **kwargs):
    return action_create(
        actor=officer,
        organisation=assessment.organisation,
        assessment=assessment,
        data=ActionInput(
            title="Name a contact",
            owner_id=officer.pk,
            due_date=dt.date(2026, 12, 1),
            question_ids=[question.pk],
            provision_ids=[question.provision_id],
            **kwargs,
        ),
    )


def test_a_gap_becomes_an_action_with_links_and_an_audit_row(assessment, officer, question):
    action = _create(assessment, officer, question)
    assert action.status == ActionStatus.OPEN
    assert list(action.questions.all()) == [question]
    assert list(action.provisions.all()) == [question.provision]
    assert AuditEvent.objects.filter(event_type="action.created", object_id=str(action.pk)).exists()


def test_links_to_questions_outside_the_assessment_are_refused_naming_the_field(
    assessment, officer
):
    from tests.factories import QuestionFactory

    with pytest.raises(ValidationError) as error:
        action_create(
            actor=officer,
            organisation=assessment.organisation,
            assessment=assessment,
            data=ActionInput(title="x", question_ids=[QuestionFactory().pk]),
        )
    assert "questions" in error.value.message_dict
    assert not Action.objects.exists()


def test_the_owner_must_be_a_member(assessment, officer, other_officer, question):
    with pytest.raises(ValidationError) as error:
        action_create(
            actor=officer,
            organisation=assessment.organisation,
            assessment=assessment,
            data=ActionInput(title="x", owner_id=other_officer.pk),
        )
    assert "owner" in error.value.message_dict


def test_accepting_a_risk_needs_a_justification_and_records_the_approver(
    assessment, officer, question
):
    action = _create(assessment, officer, question)
    with pytest.raises(ValidationError) as error:
        action_update(actor=officer, action=action, data=ActionInput(status="risk_accepted"))
    assert "risk_justification" in error.value.message_dict
    action = action_update(
        actor=officer,
        action=action,
        data=ActionInput(status="risk_accepted", risk_justification="Supplier contract covers it"),
    )
    assert action.risk_approver == officer and action.closed_at is not None
    event = AuditEvent.objects.filter(event_type="action.updated").get()
    assert event.before["status"] == "open" and event.after["status"] == "risk_accepted"


def test_an_action_is_closed_with_evidence_checked_like_answer_evidence(
    assessment, officer, question
):
    action = _create(assessment, officer, question)
    evidence = action_evidence_upload(
        actor=officer, action=action, upload=SimpleUploadedFile("policy.pdf", PDF)
    )
    assert evidence.sha256 and evidence.size == len(PDF)
    with pytest.raises(ValidationError) as error:
        action_evidence_upload(
            actor=officer, action=action, upload=SimpleUploadedFile("evil.pdf", b"MZ\x90\x00")
        )
    assert "file" in error.value.message_dict
    assert ActionEvidence.objects.count() == 1
    action = action_update(actor=officer, action=action, data=ActionInput(status="done"))
    assert action.status == "done"


def test_the_plan_lists_overdue_first_and_filters(assessment, officer, question):
    organisation = assessment.organisation
    late = ActionFactory(organisation=organisation, due_date=TODAY - dt.timedelta(days=3))
    soon = ActionFactory(organisation=organisation, due_date=TODAY + dt.timedelta(days=3))
    done_late = ActionFactory(
        organisation=organisation, due_date=TODAY - dt.timedelta(days=9), status="done"
    )
    actions = list(action_list(organisation=organisation, today=TODAY))
    assert actions[0] == late and actions[0].is_overdue
    assert not done_late.pk == actions[0].pk
    overdue = list(
        action_list(organisation=organisation, filters=ActionFilters(overdue=True), today=TODAY)
    )
    assert overdue == [late]
    assert list(
        action_list(organisation=organisation, filters=ActionFilters(status="done"), today=TODAY)
    ) == [done_late]
    assert soon in actions


def test_an_officer_turns_a_gap_into_an_action_and_closes_it_with_evidence_on_the_pages(
    client, assessment, officer, question
):
    client.force_login(officer)
    form = client.get(f"/assessments/{assessment.pk}/actions/?question={question.pk}")
    assert form.status_code == 200
    response = client.post(
        f"/assessments/{assessment.pk}/actions/",
        {"title": "Name a contact", "owner": officer.pk, "questions": [question.pk]},
    )
    action = Action.objects.get()
    assert response.url == f"/assessments/actions/{action.pk}/"
    client.post(
        f"/assessments/actions/{action.pk}/evidence/",
        {"file": SimpleUploadedFile("done.pdf", PDF)},
    )
    client.post(f"/assessments/actions/{action.pk}/", {"status": "done", "owner": officer.pk})
    action.refresh_from_db()
    assert action.status == "done" and action.evidence.count() == 1
    page = client.get(f"/assessments/actions/{action.pk}/").content.decode()
    assert "done.pdf" in page


def test_the_action_plan_page_marks_overdue_actions(client, assessment, officer):
    ActionFactory(
        organisation=assessment.organisation,
        assessment=assessment,
        title="Late one",
        due_date=dt.date(2020, 1, 1),
    )
    client.force_login(officer)
    content = client.get("/assessments/actions/").content.decode()
    assert 'class="overdue"' in content and "Late one" in content


@pytest.mark.parametrize("url", ["/assessments/actions/", "/assessments/{a}/actions/"])
def test_action_plans_render_in_a_constant_number_of_queries(
    client, assessment, officer, question, url
):
    client.force_login(officer)
    url = url.format(a=assessment.pk)

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _create(assessment, officer, question)
    few = count()
    for _ in range(12):
        action = _create(assessment, officer, question)
        action_evidence_upload(
            actor=officer, action=action, upload=SimpleUploadedFile("p.pdf", PDF)
        )
    assert count() == few


def test_the_api_lists_creates_and_updates_actions(assessment, officer, auditor, question):
    client = APIClient()
    client.force_authenticate(officer)
    created = client.post(
        "/api/v1/actions/",
        {"assessment": assessment.pk, "title": "Name a contact", "questions": [question.pk]},
        format="json",
    )
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert created.data["questions"] == [question.pk]
    bad = client.patch(f"/api/v1/actions/{pk}/", {"status": "risk_accepted"}, format="json")
    assert bad.status_code == 400
    assert bad.data["errors"][0]["field"] == "risk_justification"
    updated = client.patch(f"/api/v1/actions/{pk}/", {"status": "in_progress"}, format="json")
    assert updated.data["status"] == "in_progress"
    listed = client.get("/api/v1/actions/?status=in_progress")
    assert [a["id"] for a in listed.data["results"]] == [pk]
    client.force_authenticate(auditor)
    assert client.get(f"/api/v1/actions/{pk}/").status_code == 200
    assert (
        client.patch(f"/api/v1/actions/{pk}/", {"status": "done"}, format="json").status_code == 403
    )
