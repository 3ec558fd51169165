"""Notifications: in the app and by e-mail, in the recipient's language, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils.translation import gettext_noop

from assessments.services import due_reminders_send
from assessments.tasks import due_reminders_send_task
from portal.models import AuditEvent, Notification, NotificationKind, NotificationSettings
from portal.services import notify
from tests.conftest import question_of
from tests.factories import ActionFactory, AssignmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def legal(organisation):
    return MembershipFactory(
        user__username="legal",
        user__email="legal@acme.example",
        organisation=organisation,
        role="contributor",
    ).user


def test_notify_sends_once_per_recipient_kind_object_and_day(
    legal, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(
            recipient=legal,
            kind=NotificationKind.REPORT_READY,
            title=gettext_noop("Report ready"),
            obj=organisation,
            day=TODAY,
        )
        again = notify(
            recipient=legal,
            kind=NotificationKind.REPORT_READY,
            title=gettext_noop("Report ready"),
            obj=organisation,
            day=TODAY,
        )
    assert first is not None and again is None
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_muted_kind_is_not_sent_and_email_can_be_switched_off(
    legal, organisation, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=legal, muted_kinds=["report_ready"], email=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(recipient=legal, kind="report_ready", title="x", obj=organisation) is None
        assert notify(recipient=legal, kind="assignment", title="x", obj=organisation)
    assert Notification.objects.filter(recipient=legal).count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(("language", "word"), [("en", "Overdue"), ("ja", "期限超過")])
def test_messages_are_written_in_the_recipients_language(
    legal, assessment, officer, language, word
):
    NotificationSettings.objects.create(user=legal, language=language)
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    AssignmentFactory(
        assessment=assessment, assignee=legal, question=question, due_date=TODAY - dt.timedelta(1)
    )
    due_reminders_send(today=TODAY)
    assert word in Notification.objects.get(recipient=legal).title


def test_the_daily_task_run_twice_sends_each_due_soon_reminder_once(
    legal, assessment, officer, django_capture_on_commit_callbacks
):
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    AssignmentFactory(
        assessment=assessment, assignee=legal, question=question, due_date=TODAY + dt.timedelta(2)
    )
    ActionFactory(
        organisation=assessment.organisation, owner=officer, due_date=TODAY - dt.timedelta(1)
    )
    officer.email = "officer@acme.example"
    officer.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert due_reminders_send(today=TODAY) == 2
        assert due_reminders_send(today=TODAY) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["legal@acme.example", "officer@acme.example"]
    kinds = sorted(Notification.objects.values_list("kind", flat=True))
    assert kinds == ["due_soon", "overdue"]


def test_answered_or_far_off_work_gets_no_reminder(legal, assessment, officer):
    from assessments.services import AnswerInput, answer_save

    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    AssignmentFactory(
        assessment=assessment, assignee=legal, question=question, due_date=TODAY + dt.timedelta(1)
    )
    AssignmentFactory(
        assessment=assessment, assignee=legal, question=question, due_date=TODAY + dt.timedelta(30)
    )
    answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(value="yes")
    )
    assert due_reminders_send(today=TODAY) == 0


def test_the_celery_task_calls_the_service(legal, assessment):
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    from django.utils import timezone

    AssignmentFactory(
        assessment=assessment,
        assignee=legal,
        question=question,
        due_date=timezone.localdate() + dt.timedelta(1),
    )
    assert due_reminders_send_task.apply().get() == 1
    assert due_reminders_send_task.apply().get() == 0


def test_the_header_shows_the_unread_count_and_the_page_marks_read(client, legal, organisation):
    notify(recipient=legal, kind="assignment", title="Hello there", obj=organisation)
    client.force_login(legal)
    header = client.get("/assessments/my-work/").content.decode()
    assert 'class="badge unread-count"' in header
    page = client.get("/accounts/notifications/").content.decode()
    assert "Hello there" in page
    assert Notification.objects.get().read_at is not None
    assert 'class="badge unread-count"' not in client.get("/assessments/my-work/").content.decode()


def test_each_person_chooses_kinds_language_and_email_audited(client, legal):
    client.force_login(legal)
    response = client.post(
        "/accounts/notifications/", {"language": "en", "kinds": ["assignment", "overdue"]}
    )
    assert response.status_code == 302
    prefs = NotificationSettings.objects.get(user=legal)
    assert prefs.language == "en" and prefs.email is False
    assert "due_soon" in prefs.muted_kinds and "assignment" not in prefs.muted_kinds
    assert AuditEvent.objects.filter(event_type="notification_settings.changed").exists()


def test_the_owner_of_an_assessment_due_soon_is_reminded_once(assessment, officer):
    from assessments.services import assessment_plan_update

    assessment_plan_update(
        actor=officer, assessment=assessment, owner_id=officer.pk, due_date=TODAY + dt.timedelta(1)
    )
    assert due_reminders_send(today=TODAY) == 1
    assert due_reminders_send(today=TODAY) == 0
    notification = Notification.objects.get(recipient=officer)
    assert notification.kind == "due_soon" and notification.url == f"/assessments/{assessment.pk}/"
