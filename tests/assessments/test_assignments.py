"""Assignments: owners and due dates, contributors who see only their questions, "My work"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Answer
from assessments.selectors import access_assessment, assigned_question_ids, my_work_list
from assessments.services import assessment_plan_update, assignment_create
from frameworks.models import Section
from portal.models import AuditEvent, Notification, User
from tests.conftest import question_of
from tests.factories import ActionFactory, AssignmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def contributor(organisation):
    return MembershipFactory(
        user__username="legal",
        user__email="legal@acme.example",
        organisation=organisation,
        role="contributor",
    ).user


@pytest.fixture
def version(assessment):
    return assessment.pins.get().version


def test_a_section_assignment_covers_its_subsections_questions(
    assessment, officer, contributor, version
):
    chapter2 = Section.objects.get(version=version, key="ch2")
    assignment_create(
        actor=officer, assessment=assessment, assignee_id=contributor.pk, section_id=chapter2.pk
    )
    ids = assigned_question_ids(assessment=assessment, user=contributor)
    assert question_of(version, "q:pi-channels").pk in ids
    assert question_of(version, "q:art-7-contact").pk not in ids


def test_assigning_notifies_the_assignee_in_the_app_and_by_email_once(
    assessment, officer, contributor, version, django_capture_on_commit_callbacks
):
    question = question_of(version, "q:art-7-contact")
    with django_capture_on_commit_callbacks(execute=True):
        assignment_create(
            actor=officer,
            assessment=assessment,
            assignee_id=contributor.pk,
            question_id=question.pk,
        )
    notification = Notification.objects.get(recipient=contributor)
    assert notification.kind == "assignment"
    assert "FY2026 review" in notification.title
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["legal@acme.example"]
    assert AuditEvent.objects.filter(event_type="assignment.created").count() == 1


def test_only_members_can_be_assigned_and_the_field_is_named(
    assessment, officer, other_officer, version
):
    with pytest.raises(ValidationError) as error:
        assignment_create(
            actor=officer,
            assessment=assessment,
            assignee_id=other_officer.pk,
            question_id=question_of(version, "q:art-7-contact").pk,
        )
    assert "assignee" in error.value.message_dict


def test_a_question_of_another_version_cannot_be_assigned(assessment, officer, contributor):
    from tests.factories import QuestionFactory

    stranger = QuestionFactory()
    with pytest.raises(ValidationError) as error:
        assignment_create(
            actor=officer,
            assessment=assessment,
            assignee_id=contributor.pk,
            question_id=stranger.pk,
        )
    assert "question" in error.value.message_dict


def test_the_owner_and_due_date_of_an_assessment_are_set_and_audited(assessment, officer):
    assessment_plan_update(
        actor=officer, assessment=assessment, owner_id=officer.pk, due_date=dt.date(2026, 12, 1)
    )
    assessment.refresh_from_db()
    assert assessment.owner == officer and assessment.due_date == dt.date(2026, 12, 1)
    assert AuditEvent.objects.filter(event_type="assessment.plan_changed").exists()


def test_a_contributor_answers_their_question_and_reaches_nothing_else(
    client, assessment, officer, contributor, version
):
    mine = question_of(version, "q:art-7-contact")
    other = question_of(version, "q:pi-channels")
    assignment_create(
        actor=officer, assessment=assessment, assignee_id=contributor.pk, question_id=mine.pk
    )
    client.force_login(contributor)
    page = client.get(f"/assessments/{assessment.pk}/mine/")
    assert page.status_code == 200
    assert f'id="question-{mine.pk}"' in page.content.decode()
    assert f'id="question-{other.pk}"' not in page.content.decode()
    saved = client.post(
        f"/assessments/{assessment.pk}/questions/{mine.pk}/answer/",
        {"type": "yes_no_partial", "value": "yes", "revision": "0"},
    )
    assert saved.status_code == 200
    assert Answer.objects.get(assessment=assessment, question=mine).value == "yes"
    refused = client.post(
        f"/assessments/{assessment.pk}/questions/{other.pk}/answer/",
        {"type": "multiple_choice", "value": "direct", "revision": "0"},
    )
    assert refused.status_code == 404
    assert not Answer.objects.filter(assessment=assessment, question=other).exists()
    for url in ("", "scoping/", "history/", "assignments/", "actions/"):
        assert client.get(f"/assessments/{assessment.pk}/{url}").status_code == 403, url
    assert client.get("/assessments/").url == "/assessments/my-work/"


def test_a_contributor_without_assignment_gets_403_and_the_access_selector_says_limited(
    assessment, contributor
):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        access_assessment(user=contributor, pk=assessment.pk)
    access = access_assessment(user=contributor, pk=assessment.pk, limited=True)
    assert access.is_limited and not access.can_write and access.question_ids == frozenset()


def test_my_work_lists_overdue_first_then_by_due_date(assessment, officer, contributor, version):
    q1 = question_of(version, "q:art-7-contact")
    chapter2 = Section.objects.get(version=version, key="ch2")
    AssignmentFactory(
        assessment=assessment,
        assignee=contributor,
        question=q1,
        due_date=TODAY + dt.timedelta(days=5),
    )
    AssignmentFactory(
        assessment=assessment,
        assignee=contributor,
        section=chapter2,
        due_date=TODAY - dt.timedelta(days=2),
    )
    AssignmentFactory(assessment=assessment, assignee=contributor, section=chapter2, due_date=None)
    items = my_work_list(user=contributor, today=TODAY)
    assert [i.due_date for i in items] == [
        TODAY - dt.timedelta(days=2),
        TODAY + dt.timedelta(days=5),
        None,
    ]
    assert items[0].is_overdue(TODAY) and not items[1].is_overdue(TODAY)


def test_my_work_page_shows_overdue_items_marked_and_my_actions(
    client, assessment, officer, version
):
    q1 = question_of(version, "q:art-7-contact")
    AssignmentFactory(
        assessment=assessment,
        assignee=officer,
        question=q1,
        due_date=timezone.localdate() - dt.timedelta(days=1),
    )
    ActionFactory(
        organisation=assessment.organisation,
        assessment=assessment,
        owner=officer,
        title="Name a contact",
    )
    client.force_login(officer)
    content = client.get("/assessments/my-work/").content.decode()
    assert 'class="overdue"' in content
    assert "Name a contact" in content


def test_my_work_runs_in_a_constant_number_of_queries(
    client, assessment, officer, version, published_version
):
    q1 = question_of(version, "q:art-7-contact")
    client.force_login(officer)

    def count() -> int:
        client.get("/assessments/my-work/")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/assessments/my-work/").status_code == 200
        return len(queries)

    AssignmentFactory(assessment=assessment, assignee=officer, question=q1)
    ActionFactory(organisation=assessment.organisation, assessment=assessment, owner=officer)
    few = count()
    for index in range(15):
        AssignmentFactory(
            assessment=assessment,
            assignee=officer,
            question=q1,
            due_date=TODAY + dt.timedelta(days=index),
        )
        ActionFactory(organisation=assessment.organisation, assessment=assessment, owner=officer)
    assert count() == few


def test_the_assignment_page_assigns_with_a_clear_error_for_a_bad_target(
    client, assessment, officer
):
    client.force_login(officer)
    response = client.post(
        f"/assessments/{assessment.pk}/assignments/",
        {"assignee": officer.pk, "target": "q:999999"},
    )
    assert response.status_code == 400
    assert User.objects.get(username="officer").assignments.count() == 0


def test_through_the_api_a_contributor_reads_and_answers_only_their_questions(
    assessment, officer, contributor, version
):
    from rest_framework.test import APIClient

    from assessments.services import AnswerInput, answer_save

    mine = question_of(version, "q:art-7-contact")
    other = question_of(version, "q:pi-channels")
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=other.pk,
        data=AnswerInput(value=["web"]),
    )
    assignment_create(
        actor=officer, assessment=assessment, assignee_id=contributor.pk, question_id=mine.pk
    )
    client = APIClient()
    client.force_authenticate(contributor)
    url = f"/api/v1/assessments/{assessment.pk}/answers/"
    assert client.get(url).data["results"] == []  # the other answer stays hidden
    saved = client.post(url, {"items": [{"question": mine.pk, "value": "yes"}]}, format="json")
    assert saved.status_code == 200
    assert [a["question"] for a in client.get(url).data["results"]] == [mine.pk]
    refused = client.post(
        url,
        {
            "items": [
                {"question": mine.pk, "value": "no"},
                {"question": other.pk, "value": ["paper"]},
            ]
        },
        format="json",
    )
    assert refused.status_code == 404
    assert Answer.objects.get(question=mine).value == "yes"
    assert Answer.objects.get(question=other).value == ["web"]


def test_my_work_shows_how_much_of_each_assignment_is_answered(
    assessment, officer, contributor, version
):
    from assessments.services import AnswerInput, answer_save

    chapter1 = Section.objects.get(version=version, key="ch1")
    AssignmentFactory(assessment=assessment, assignee=contributor, section=chapter1)
    (item,) = my_work_list(user=contributor, today=TODAY)
    assert (item.answered, item.total) == (0, 1)  # the follow-up is hidden until answered "yes"
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=question_of(version, "q:art-7-contact").pk,
        data=AnswerInput(value="yes"),
    )
    (item,) = my_work_list(user=contributor, today=TODAY)
    assert (item.answered, item.total) == (1, 2)
