"""The compliance programme in a real browser: invitations, assignments, a contributor's view."""

from __future__ import annotations

import re
import shutil

import pytest
from django.core import mail

from assessments.models import Answer
from frameworks.models import Section
from portal.models import Membership, Role, User
from tests.conftest import question_of
from tests.e2e.conftest import sign_in
from tests.factories import MembershipFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed"),
]
LINK = re.compile(r"https?://[^/\s]+(/accounts/invitations/\S+/)")


def test_an_admin_invites_a_contributor_who_answers_their_section_and_sees_nothing_else(
    live_server, transactional_db, assessment, organisation, new_page
):
    MembershipFactory(user__username="boss", organisation=organisation, role=Role.ADMIN)
    version = assessment.pins.get().version
    chapter1 = Section.objects.get(version=version, key="ch1")
    mine = question_of(version, "q:art-7-contact")
    other = question_of(version, "q:pi-channels")

    admin = new_page()
    sign_in(admin, live_server.url, "boss")
    admin.goto(f"{live_server.url}/organisations/{organisation.pk}/members/")
    admin.fill("#id_email", "legal@acme.example")
    admin.select_option("#id_role", "contributor")
    admin.click("text=Send invitation")
    admin.wait_for_selector("text=Invitation sent.")
    link = LINK.search(mail.outbox[-1].body).group(1)

    person = new_page()
    person.goto(f"{live_server.url}{link}")
    person.fill("#id_password1", "a-long-Passphrase-42")
    person.fill("#id_password2", "a-long-Passphrase-42")
    person.click("text=Create my account")
    person.wait_for_url(re.compile(r"/assessments/my-work/$"))
    legal = User.objects.get(username="legal@acme.example")
    assert Membership.objects.get(user=legal).role == Role.CONTRIBUTOR

    admin.goto(f"{live_server.url}/assessments/{assessment.pk}/assignments/")
    admin.select_option("#id_assignee", label="legal@acme.example")
    admin.select_option("#id_target", f"s:{chapter1.pk}")
    admin.fill("#id_due_date", "2030-01-31")
    admin.click("main form.card button[type=submit]")
    admin.wait_for_selector("text=Assigned.")

    person.reload()
    person.click(f"a[href='/assessments/{assessment.pk}/mine/']")
    person.wait_for_selector(f"#question-{mine.pk}")
    assert person.locator(f"#question-{other.pk}").count() == 0
    person.locator(f"#question-{mine.pk} input[name=value]").first.check()
    person.wait_for_selector(f"#status-{mine.pk}.saved")
    assert Answer.objects.get(assessment=assessment, question=mine).updated_by == legal
    # The bell shows the assignment notification.
    assert person.locator(".unread-count").count() == 1

    for path in (
        f"/assessments/{assessment.pk}/",
        f"/assessments/{assessment.pk}/sections/{chapter1.pk}/",
        f"/assessments/{assessment.pk}/history/",
        "/assessments/actions/",
        "/portfolio/",
    ):
        response = person.goto(f"{live_server.url}{path}")
        assert response.status in (403, 404), path


def test_an_officer_turns_a_gap_into_an_action_and_closes_it_with_evidence(
    live_server, transactional_db, assessment, officer, new_page, tmp_path
):
    from assessments.models import Action

    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    page = new_page()
    sign_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/actions/?question={question.pk}")
    page.fill("#id_title", "Name a contact for the AI Act")
    page.select_option("#id_owner", label="officer")
    page.fill("#id_due_date", "2020-01-31")
    page.click("text=Create the action")
    page.wait_for_selector("text=Action created.")
    page.wait_for_selector(".overdue-badge")  # due in the past: it stands out
    action = Action.objects.get()
    assert list(action.questions.all()) == [question]

    proof = tmp_path / "contact-memo.pdf"
    proof.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    page.set_input_files("#action-file", str(proof))
    page.click("text=Upload")
    page.wait_for_selector("a:has-text('contact-memo.pdf')")
    page.select_option("#id_status", "done")
    page.click("main form.card button.primary")
    page.wait_for_selector("text=Action saved.")
    action.refresh_from_db()
    assert action.status == "done" and action.closed_at is not None
    assert page.locator(".overdue-badge").count() == 0
