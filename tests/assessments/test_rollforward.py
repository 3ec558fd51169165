"""Roll-forward (issue 12): a new assessment starts from a previous one. Answers are copied to
re-confirm, evidence is linked, open actions move over; progress counts confirmed answers only."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import (
    Action,
    ActionStatus,
    Answer,
    Assessment,
    AssessmentStatus,
    Evidence,
)
from assessments.selectors import access_assessment_for_roll_forward, questionnaire_build
from assessments.services import (
    AnswerInput,
    AssessmentIncompleteError,
    answer_save,
    answers_bulk_save,
    assessment_create,
    assessment_roll_forward,
    assessment_submit,
    evidence_delete,
    evidence_upload,
)
from frameworks.models import Question
from frameworks.selectors import version_content_list
from frameworks.services import (
    framework_content_save,
    framework_version_clone,
    framework_version_publish,
)
from portal.models import AuditEvent, AuditEventType
from portal.storage import stored_file_names, stored_file_read
from tests.conftest import PROVIDER_WITH_PI, question_of
from tests.factories import ActionFactory, AnswerFactory, EvidenceFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% policy\n"


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def save(assessment, actor, suffix, **data):
    question = question_of(assessment.pins.get().version, suffix)
    return answer_save(
        actor=actor, assessment=assessment, question_id=question.pk, data=AnswerInput(**data)
    )


def answers_of(assessment):
    return {
        a.question.urn.rsplit(":", 1)[-1]: a
        for a in Answer.objects.filter(assessment=assessment).select_related("question")
    }


def roll(previous, actor, name="FY2027 review"):
    return assessment_roll_forward(actor=actor, previous=previous, name=name)


# --- Answers -------------------------------------------------------------------------------------


def test_roll_forward_copies_answers_marked_to_reconfirm_with_scope_and_pins(
    assessment, officer, published_version
):
    save(assessment, officer, "q:art-7-contact", value="yes", comment="Legal team")
    save(assessment, officer, "q:pi-channels", not_applicable=True, justification="No PI")

    result = roll(assessment, officer)

    new = result.assessment
    assert new.organisation == assessment.organisation and new.previous == assessment
    assert new.scoping == assessment.scoping and new.status == AssessmentStatus.IN_PROGRESS
    assert [p.version for p in new.pins.all()] == [published_version]
    copied = answers_of(new)
    assert copied["art-7-contact"].value == "yes"
    assert copied["art-7-contact"].comment == "Legal team"
    assert copied["pi-channels"].not_applicable and copied["pi-channels"].justification == "No PI"
    assert all(a.reconfirm_required and a.revision == 1 for a in copied.values())
    # The previous assessment is untouched.
    assert not any(a.reconfirm_required for a in answers_of(assessment).values())
    event = AuditEvent.objects.get(event_type=AuditEventType.ASSESSMENT_ROLLED_FORWARD)
    assert event.context_id == str(new.pk) and event.before["previous"] == assessment.pk
    assert event.after["answers_to_reconfirm"] == 2 and event.after["not_carried"] == []
    assert event.before["previous_name"] == "FY2026 review"


@pytest.fixture
def newer_version(staff, published_version):
    """2025.2: pi-channels lost its "paper" choice (for "email"); art-7-contact-who was removed."""
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    channels = Question.objects.get(version=draft, urn__endswith="q:pi-channels")
    channels.choices = [c for c in channels.choices if c["key"] != "paper"] + [
        {"key": "email", "label_ja": "メール", "label_en": "E-mail", "score": 1.0}
    ]
    framework_content_save(actor=staff, instance=channels)
    Question.objects.get(version=draft, urn__endswith="q:art-7-contact-who").delete()
    return framework_version_publish(actor=staff, version=draft)


def test_answers_no_longer_valid_in_the_newer_version_are_not_carried(
    assessment, officer, newer_version
):
    save(assessment, officer, "q:art-7-contact", value="yes")
    save(assessment, officer, "q:art-7-contact-who", value="Ms Sato")
    save(assessment, officer, "q:pi-channels", value=["web", "paper"])
    save(assessment, officer, "q:art-7-contact", value="yes", comment="kept")

    result = roll(assessment, officer)

    assert [p.version for p in result.assessment.pins.all()] == [newer_version]
    assert set(answers_of(result.assessment)) == {"art-7-contact"}
    assert answers_of(result.assessment)["art-7-contact"].question.version == newer_version
    assert sorted(u.rsplit(":", 1)[-1] for u in result.not_carried) == [
        "art-7-contact-who",
        "pi-channels",
    ]


# --- Evidence ------------------------------------------------------------------------------------


def test_evidence_is_linked_to_the_same_file_and_deleting_one_link_keeps_it(assessment, officer):
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    save(assessment, officer, "q:art-7-contact", value="yes")
    original = evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=question.pk,
        upload=SimpleUploadedFile("policy.pdf", PDF, "application/pdf"),
    )

    new = roll(assessment, officer).assessment

    link = Evidence.objects.get(answer__assessment=new)
    assert (link.stored_name, link.sha256, link.original_name) == (
        original.stored_name,
        original.sha256,
        "policy.pdf",
    )
    assert link.pk != original.pk and stored_file_names("evidence") == [original.stored_name]
    evidence_delete(actor=officer, assessment=new, evidence=link)
    assert not Evidence.objects.filter(answer__assessment=new).exists()
    # The previous assessment's row still opens the one stored file.
    assert stored_file_read("evidence", original.stored_name) == PDF
    assert Evidence.objects.filter(pk=original.pk).exists()


# --- Actions -------------------------------------------------------------------------------------


def test_open_actions_move_to_the_new_assessment_and_closed_ones_stay(
    assessment, officer, organisation, newer_version
):
    old_question = question_of(assessment.pins.get().version, "q:art-7-contact")
    moved = []
    for status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS):
        action = ActionFactory(organisation=organisation, assessment=assessment, status=status)
        action.questions.set([old_question])
        moved.append(action)
    done = ActionFactory(organisation=organisation, assessment=assessment, status="done")
    accepted = ActionFactory(
        organisation=organisation,
        assessment=assessment,
        status=ActionStatus.RISK_ACCEPTED,
        risk_justification="Low impact",
        risk_approver=officer,
    )

    result = roll(assessment, officer)

    new = result.assessment
    assert result.actions == 2
    assert set(Action.objects.filter(assessment=new)) == set(moved)
    assert set(Action.objects.filter(assessment=assessment)) == {done, accepted}
    # Links follow the question's URN into the version the new assessment pins.
    new_question = question_of(newer_version, "q:art-7-contact")
    for action in moved:
        assert list(action.questions.all()) == [new_question]
    assert (
        AuditEvent.objects.filter(
            event_type=AuditEventType.ACTION_CARRIED_OVER, context_id=str(new.pk)
        ).count()
        == 2
    )


# --- Progress ------------------------------------------------------------------------------------


def test_progress_and_submission_count_only_confirmed_answers(assessment, officer):
    save(assessment, officer, "q:art-7-contact", value="no")
    save(assessment, officer, "q:pi-channels", value=["web"])
    assert questionnaire_build(assessment=assessment).progress.answered == 2

    new = roll(assessment, officer).assessment

    questionnaire = questionnaire_build(assessment=new)
    assert (questionnaire.progress.answered, questionnaire.progress.applicable) == (0, 2)
    assert all(b.needs_reconfirm for b in questionnaire.missing())
    with pytest.raises(AssessmentIncompleteError):
        assessment_submit(actor=officer, assessment=new)

    # "Confirm unchanged": the same values saved again confirm the answer.
    confirmed = save(new, officer, "q:art-7-contact", value="no", revision=1)
    assert confirmed.revision == 2 and not confirmed.reconfirm_required
    assert questionnaire_build(assessment=new).progress.answered == 1
    event = AuditEvent.objects.filter(context_id=str(new.pk)).latest("id")
    assert event.event_type == AuditEventType.ANSWER_RECONFIRMED
    assert (event.before["reconfirm_required"], event.after["reconfirm_required"]) == (True, False)
    # Saving it unchanged once more is a no-op again.
    assert save(new, officer, "q:art-7-contact", value="no").revision == 2

    # A changed value confirms too (recorded as an ordinary save).
    changed = save(new, officer, "q:pi-channels", value=["web", "paper"])
    assert not changed.reconfirm_required
    assert questionnaire_build(assessment=new).progress.answered == 2
    assert AuditEvent.objects.filter(context_id=str(new.pk)).latest("id").event_type == (
        AuditEventType.ANSWER_SAVED
    )


def test_a_bulk_save_confirms_rolled_forward_answers(assessment, officer):
    save(assessment, officer, "q:art-7-contact", value="yes")
    new = roll(assessment, officer).assessment
    question = question_of(new.pins.get().version, "q:art-7-contact")

    answers_bulk_save(
        actor=officer,
        assessment=new,
        items=[(question.pk, AnswerInput(value="yes", revision=1))],
    )

    answer = Answer.objects.get(assessment=new, question=question)
    assert not answer.reconfirm_required and answer.revision == 2


# --- Queries -------------------------------------------------------------------------------------


def _previous_with(n, *, organisation, officer, version):
    previous = assessment_create(
        actor=officer,
        organisation=organisation,
        name=f"FY2025 ({n})",
        versions=[version],
        scoping=PROVIDER_WITH_PI,
    )
    for question in list(Question.objects.filter(version=version).order_by("order"))[:n]:
        value = question.choices[0]["key"] if question.choices else "text"
        if question.type == "multiple_choice":
            value = [value]
        answer = AnswerFactory(assessment=previous, question=question, value=value)
        EvidenceFactory(answer=answer)
        action = ActionFactory(organisation=organisation, assessment=previous)
        action.questions.set([question])
    return previous


def test_roll_forward_runs_in_constant_queries_whatever_the_number_of_answers(
    officer, organisation, published_version
):
    version_content_list(versions=[published_version])  # the content cache is warm in production
    small = _previous_with(1, organisation=organisation, officer=officer, version=published_version)
    large = _previous_with(3, organisation=organisation, officer=officer, version=published_version)
    counts = []
    for previous in (small, large):
        with CaptureQueriesContext(connection) as queries:
            result = roll(previous, officer)
        counts.append(len(queries))
    assert (result.answers, result.evidence, result.actions) == (3, 3, 3)
    assert counts[0] == counts[1], counts


# --- Pages ---------------------------------------------------------------------------------------


def test_the_create_page_starts_from_a_previous_assessment(client, assessment, officer):
    save(assessment, officer, "q:art-7-contact", value="yes")
    client.force_login(officer)
    page = client.get(reverse("assessments:create")).content.decode()
    assert "前回のアセスメントから始める" in page  # pages are in Japanese by default
    assert f'<option value="{assessment.pk}">FY2026 review</option>' in page

    response = client.post(
        reverse("assessments:create"),
        {"rollforward-previous": assessment.pk, "rollforward-name": "FY2027 review"},
    )

    new = Answer.objects.get(reconfirm_required=True).assessment
    assert response.status_code == 302 and response["Location"].endswith(f"/{new.pk}/")
    assert new.name == "FY2027 review" and new.previous == assessment
    question = question_of(new.pins.get().version, "q:art-7-contact")
    page = client.get(
        reverse("assessments:section", args=[new.pk, question.provision.section_id])
    ).content.decode()
    assert "要再確認" in page and "変更なしで確定" in page
    # The button posts the answer form as it is to the autosave endpoint.
    assert f'hx-post="{reverse("assessments:answer", args=[new.pk, question.pk])}"' in page


def test_confirm_unchanged_posts_the_answer_form_and_removes_the_badge(client, assessment, officer):
    save(assessment, officer, "q:art-7-contact", value="yes")
    new = roll(assessment, officer).assessment
    question = question_of(new.pins.get().version, "q:art-7-contact")
    client.force_login(officer)

    response = client.post(
        reverse("assessments:answer", args=[new.pk, question.pk]),
        {"type": "yes_no_partial", "value": "yes", "revision": "1"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert not Answer.objects.get(assessment=new, question=question).reconfirm_required
    page = client.get(
        reverse("assessments:section", args=[new.pk, question.provision.section_id])
    ).content.decode()
    assert "変更なしで確定" not in page and "要再確認" not in page


@pytest.mark.parametrize("role", ["auditor", "contributor"])
def test_auditors_and_contributors_may_not_roll_forward(client, assessment, organisation, role):
    from tests.factories import MembershipFactory

    member = MembershipFactory(user__username=role, organisation=organisation, role=role).user
    client.force_login(member)
    response = client.post(
        reverse("assessments:create"),
        {"rollforward-previous": assessment.pk, "rollforward-name": "Mine"},
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        access_assessment_for_roll_forward(user=member, pk=assessment.pk)
    assert Assessment.objects.count() == 1


def test_another_organisations_assessment_is_not_found(client, assessment, other_officer):
    client.force_login(other_officer)
    response = client.post(
        reverse("assessments:create"),
        {"rollforward-previous": assessment.pk, "rollforward-name": "Theirs"},
    )
    assert response.status_code == 404
    missing = client.post(
        reverse("assessments:create"),
        {"rollforward-previous": 999_999, "rollforward-name": "Theirs"},
    )
    assert missing.status_code == 404
    assert Assessment.objects.count() == 1


# --- API -----------------------------------------------------------------------------------------


def test_the_api_creates_from_a_previous_assessment_and_shows_what_to_reconfirm(
    assessment, officer, other_officer, organisation
):
    from tests.api.test_api import client_for

    save(assessment, officer, "q:art-7-contact", value="yes")
    client = client_for("officer")
    body = {"organisation": organisation.pk, "name": "FY2027", "previous": assessment.pk}

    response = client.post("/api/v1/assessments/", body, format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["previous"] == assessment.pk and created["scoping"]["roles"] == ["ai_provider"]
    answers = client.get(f"/api/v1/assessments/{created['id']}/answers/").json()
    rows = answers["results"] if isinstance(answers, dict) else answers
    assert [(a["value"], a["reconfirm_required"]) for a in rows] == [("yes", True)]

    both = client.post(
        "/api/v1/assessments/", {**body, "frameworks": ["urn:tekigo:fw:example-act"]}, format="json"
    )
    assert both.status_code == 400 and both.json()["errors"][0]["field"] == "frameworks"
    neither = client.post(
        "/api/v1/assessments/", {"organisation": organisation.pk, "name": "x"}, format="json"
    )
    assert neither.status_code == 400
    assert {e["field"] for e in neither.json()["errors"]} == {"frameworks", "scoping"}
    intruder = client_for("intruder").post("/api/v1/assessments/", body, format="json")
    assert intruder.status_code == 404


def test_an_upgrade_keeps_rolled_forward_answers_to_reconfirm(
    assessment, officer, staff, published_version
):
    from assessments.services import assessment_upgrade

    save(assessment, officer, "q:art-7-contact", value="yes")
    new = roll(assessment, officer).assessment
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.3")
    target = framework_version_publish(actor=staff, version=draft)

    assessment_upgrade(actor=officer, assessment=new, pin=new.pins.get(), target=target)

    carried = Answer.objects.get(assessment=new, question__version=target)
    assert carried.value == "yes" and carried.reconfirm_required


def test_a_scope_fact_no_longer_known_is_dropped_and_an_invalid_scope_refused(assessment, officer):
    from django.core.exceptions import ValidationError

    Assessment.objects.filter(pk=assessment.pk).update(
        scoping={**assessment.scoping, "retired_fact": True}
    )
    assessment.refresh_from_db()
    assert "retired_fact" not in roll(assessment, officer).assessment.scoping

    Assessment.objects.filter(pk=assessment.pk).update(scoping={"roles": ["pirate"]})
    assessment.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        roll(assessment, officer, name="Refused")
    assert "previous" in error.value.message_dict
    assert not Assessment.objects.filter(name="Refused").exists()
