"""Assessment services: validation, locking, conflicts, history, evidence and upgrades."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.evidence_files import evidence_path
from assessments.models import Answer, AssessmentStatus, Evidence
from assessments.scoping import ScopingProfile
from assessments.selectors import assessment_history_list, questionnaire_build
from assessments.services import (
    AnswerConflictError,
    AnswerInput,
    AssessmentIncompleteError,
    AssessmentLockedError,
    answer_save,
    assessment_create,
    assessment_reopen,
    assessment_scoping_update,
    assessment_submit,
    assessment_upgrade,
    evidence_upload,
)
from frameworks.models import Question
from frameworks.services import (
    framework_content_save,
    framework_version_clone,
    framework_version_publish,
)
from portal.models import AuditEvent, AuditEventType
from portal.storage import stored_file_names, stored_file_open
from tests.conftest import PROVIDER_WITH_PI, question_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the Japanese catalogue is tested through the pages."""
    from django.utils import translation

    with translation.override("en"):
        yield


def save(assessment, officer, suffix, **data):
    question = question_of(assessment.pins.get().version, suffix)
    return answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(**data)
    )


def test_create_pins_the_versions_and_records_it(assessment, published_version):
    assert [p.version for p in assessment.pins.all()] == [published_version]
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.ASSESSMENT_CREATED, context_id=str(assessment.pk)
    ).exists()


def test_create_refuses_drafts_and_two_versions_of_one_framework(
    officer, organisation, published_version, staff
):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    with pytest.raises(ValidationError, match="published"):
        assessment_create(
            actor=officer,
            organisation=organisation,
            name="x",
            versions=[draft],
            scoping=PROVIDER_WITH_PI,
        )
    newer = framework_version_publish(actor=staff, version=draft)
    with pytest.raises(ValidationError, match="one version per framework"):
        assessment_create(
            actor=officer,
            organisation=organisation,
            name="x",
            versions=[published_version, newer],
            scoping=PROVIDER_WITH_PI,
        )


@pytest.mark.parametrize(
    ("suffix", "value", "message"),
    [
        ("q:art-7-contact", "maybe", "offered answers"),
        ("q:pi-channels", ["web", "fax"], "offered answers"),
        ("q:art-7-contact-who", "x" * 10_001, "characters"),
    ],
)
def test_invalid_values_are_refused_and_nothing_changes(
    assessment, officer, suffix, value, message
):
    with pytest.raises(ValidationError, match=message):
        save(assessment, officer, suffix, value=value)
    assert not Answer.objects.exists()


def test_answer_is_saved_with_revision_and_audited(assessment, officer):
    answer = save(
        assessment, officer, "q:art-7-contact", value="yes", comment="Named in March", revision=0
    )
    assert (answer.value, answer.comment, answer.revision) == ("yes", "Named in March", 1)
    answer = save(
        assessment,
        officer,
        "q:art-7-contact",
        value="partial",
        comment="Named in March",
        revision=1,
    )
    assert answer.revision == 2
    events = assessment_history_list(assessment=assessment, subject=answer.question.urn)
    assert [e.after["value"] for e in events] == ["partial", "yes"]
    assert events[0].before["value"] == "yes"


def test_saving_the_same_answer_again_changes_nothing(assessment, officer):
    save(assessment, officer, "q:art-7-contact", value="yes", revision=0)
    answer = save(assessment, officer, "q:art-7-contact", value="yes", revision=1)
    assert answer.revision == 1
    assert AuditEvent.objects.filter(event_type=AuditEventType.ANSWER_SAVED).count() == 1


def test_a_save_touches_the_assessment_and_a_save_that_changes_nothing_does_not(
    assessment, officer
):
    """The assessment is locked and touched in one statement; when the save changes nothing the
    touch is rolled back with it, so "last changed" moves only with a real change."""
    from assessments.models import Assessment

    save(assessment, officer, "q:art-7-contact", value="yes", revision=0)
    touched = Assessment.objects.get(pk=assessment.pk).updated_at
    assert touched > assessment.updated_at
    save(assessment, officer, "q:art-7-contact", value="yes", revision=1)
    assert Assessment.objects.get(pk=assessment.pk).updated_at == touched


def test_a_save_from_an_older_read_of_an_open_assessment_is_stored_and_touches_it(
    assessment, officer
):
    """The caller's row is believed only at its revision: after another change moved it, the
    row is read again under the lock, and the save still goes through (the revision of the
    assessment is not the answer's)."""
    from assessments.models import Assessment

    stale = Assessment.objects.get(pk=assessment.pk)
    Assessment.objects.filter(pk=assessment.pk).update(revision=stale.revision + 1)
    answer = save(stale, officer, "q:art-7-contact", value="no")
    assert answer.value == "no" and answer.revision == 1
    assert Assessment.objects.get(pk=assessment.pk).updated_at > stale.updated_at


def test_a_submitted_assessment_refuses_a_save_and_is_not_touched(assessment, officer):
    from assessments.models import Assessment
    from assessments.services import AssessmentLockedError

    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SUBMITTED)
    with pytest.raises(AssessmentLockedError):
        save(assessment, officer, "q:art-7-contact", value="no")
    assert Assessment.objects.get(pk=assessment.pk).updated_at == assessment.updated_at
    assert not Answer.objects.exists()


def test_stale_revision_is_a_conflict_and_keeps_the_earlier_save(assessment, officer):
    save(assessment, officer, "q:art-7-contact", value="yes", revision=0)
    with pytest.raises(AnswerConflictError) as info:
        save(assessment, officer, "q:art-7-contact", value="no", revision=0)
    assert info.value.current.value == "yes"
    assert Answer.objects.get().value == "yes"


def test_not_applicable_needs_a_justification(assessment, officer):
    with pytest.raises(ValidationError) as info:
        save(assessment, officer, "q:art-7-contact", not_applicable=True, justification="  ")
    assert "justification" in info.value.message_dict
    answer = save(
        assessment,
        officer,
        "q:art-7-contact",
        value="yes",
        not_applicable=True,
        justification="We have no AI products",
    )
    assert answer.value is None and answer.is_answered


def test_question_of_another_version_is_refused(assessment, officer, staff, published_version):
    other = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    question = Question.objects.filter(version=other).first()
    with pytest.raises(ValidationError) as info:
        answer_save(
            actor=officer,
            assessment=assessment,
            question_id=question.pk,
            data=AnswerInput(value="yes"),
        )
    assert "question" in info.value.message_dict


def test_submit_lists_missing_required_questions_then_locks(assessment, officer):
    with pytest.raises(AssessmentIncompleteError) as info:
        assessment_submit(actor=officer, assessment=assessment)
    assert {b.question.urn.rsplit(":", 1)[-1] for b in info.value.missing} == {
        "art-7-contact",
        "pi-channels",
    }
    save(assessment, officer, "q:art-7-contact", value="no")
    save(assessment, officer, "q:pi-channels", value=["web"])
    assessment = assessment_submit(actor=officer, assessment=assessment)
    assert assessment.status == AssessmentStatus.SUBMITTED
    with pytest.raises(AssessmentLockedError):
        save(assessment, officer, "q:art-7-contact", value="yes")
    assessment = assessment_reopen(actor=officer, assessment=assessment)
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    types = list(
        assessment_history_list(assessment=assessment).values_list("event_type", flat=True)
    )
    assert types[:2] == [AuditEventType.ASSESSMENT_REOPENED, AuditEventType.ASSESSMENT_SUBMITTED]


def test_scoping_change_recomputes_applicability_and_keeps_answers(assessment, officer):
    save(assessment, officer, "q:pi-channels", value=["web"])
    assert questionnaire_build(assessment=assessment).progress.applicable == 2
    assessment = assessment_scoping_update(
        actor=officer,
        assessment=assessment,
        scoping=ScopingProfile(roles=["ai_business_user"]),
        expected_revision=1,
    )
    questionnaire = questionnaire_build(assessment=assessment)
    assert questionnaire.progress.applicable == 1
    assert Answer.objects.filter(question__urn__endswith="pi-channels").exists()
    with pytest.raises(ValidationError, match="Someone changed"):
        assessment_scoping_update(
            actor=officer, assessment=assessment, scoping=PROVIDER_WITH_PI, expected_revision=1
        )


def test_follow_up_appears_only_for_the_listed_answers(assessment, officer):
    def follow_up_visible():
        return next(
            b
            for b in questionnaire_build(assessment=assessment).questions.values()
            if b.question.urn.endswith("contact-who")
        ).visible

    assert not follow_up_visible()
    save(assessment, officer, "q:art-7-contact", value="partial")
    assert follow_up_visible()
    save(assessment, officer, "q:art-7-contact", value="no")
    assert not follow_up_visible()


# --- Evidence ------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(assessment, officer, name, content, content_type="application/octet-stream"):
    question = question_of(assessment.pins.get().version, "q:art-7-contact")
    return evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=question.pk,
        upload=SimpleUploadedFile(name, content, content_type),
    )


def test_evidence_is_stored_outside_static_with_its_hash(assessment, officer, settings):
    evidence = upload(assessment, officer, "policy.pdf", PDF)
    with stored_file_open("evidence", evidence.stored_name) as handle:
        assert handle.read() == PDF
    assert str(evidence_path(evidence.stored_name)).startswith(str(settings.MEDIA_ROOT))
    assert evidence.stored_name != "policy.pdf" and evidence.stored_name.endswith(".pdf")
    import hashlib

    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert AuditEvent.objects.filter(event_type=AuditEventType.EVIDENCE_UPLOADED).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "empty"),
        ("script.exe", b"MZ\x90\x00", "not accepted"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not match"),
        ("photo.png", PDF, "does not match"),
        ("notes.txt", b"\x00\x01\x02binary", "does not match"),
        (".htaccess", b"deny", "name"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    assessment, officer, settings, name, content, message
):
    with pytest.raises(ValidationError, match=message):
        upload(assessment, officer, name, content)
    assert not Evidence.objects.exists()
    assert stored_file_names("evidence") == []


def test_oversized_upload_is_refused(assessment, officer, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match="larger than"):
        upload(assessment, officer, "big.pdf", PDF + b"0" * 2048)
    assert not Evidence.objects.exists()


# --- Upgrade -------------------------------------------------------------------------------------


def test_upgrade_carries_answers_over_and_marks_changed_ones(
    assessment, officer, staff, published_version
):
    save(assessment, officer, "q:art-7-contact", value="yes", comment="kept")
    save(assessment, officer, "q:pi-channels", value=["web", "paper"])
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    changed = Question.objects.get(version=draft, urn__endswith="pi-channels")
    changed.prompt_en = "Through which channels do you collect data?"
    framework_content_save(actor=staff, instance=changed)
    target = framework_version_publish(actor=staff, version=draft)

    assessment_upgrade(
        actor=officer, assessment=assessment, pin=assessment.pins.get(), target=target
    )
    assert assessment.pins.get().version == target
    current = {
        a.question.urn.rsplit(":", 1)[-1]: a
        for a in Answer.objects.filter(question__version=target)
    }
    assert current["art-7-contact"].value == "yes" and not current["art-7-contact"].needs_review
    assert current["art-7-contact"].comment == "kept"
    assert current["pi-channels"].needs_review
    # The answers as they were stay attached to the old version, as history.
    assert Answer.objects.filter(question__version=published_version).count() == 2
    event = AuditEvent.objects.get(event_type=AuditEventType.ASSESSMENT_UPGRADED)
    assert event.after["carried_over"] == 2 and event.after["needs_review"] == 1


def test_path_traversal_in_a_file_name_cannot_escape_the_evidence_folder(assessment, officer):
    evidence = upload(assessment, officer, "../../etc/passwd.txt", b"root:x:0:0")
    assert evidence.original_name == "passwd.txt"
    assert stored_file_names("evidence") == [evidence.stored_name]
    with stored_file_open("evidence", evidence.stored_name) as handle:
        assert handle.read() == b"root:x:0:0"


# --- Create from URNs, structured bulk errors (issue 13) ------------------------------------------


def test_create_from_urns_pins_the_newest_published_version_and_names_unknown_urns(
    officer, organisation, published_version
):
    from assessments.services import assessment_create_from_urns

    with pytest.raises(ValidationError) as refused:
        assessment_create_from_urns(
            actor=officer,
            organisation=organisation,
            name="x",
            framework_urns=["urn:tekigo:fw:example-act", "urn:nowhere"],
            scoping=ScopingProfile(roles=["ai_provider"]),
        )
    assert set(refused.value.message_dict) == {"frameworks[1]"}
    with pytest.raises(ValidationError) as no_role:
        assessment_create_from_urns(
            actor=officer,
            organisation=organisation,
            name="x",
            framework_urns=["urn:tekigo:fw:example-act"],
            scoping=ScopingProfile(),
        )
    assert set(no_role.value.message_dict) == {"roles"}
    created = assessment_create_from_urns(
        actor=officer,
        organisation=organisation,
        name="From URNs",
        framework_urns=["urn:tekigo:fw:example-act"],
        scoping=ScopingProfile(roles=["ai_provider"]),
    )
    assert created.pins.get().version == published_version


def test_bulk_errors_are_typed_items_and_a_revision_for_an_unanswered_question_conflicts(
    assessment, officer
):
    from assessments.services import AnswerInput, BulkAnswerError, ItemError, answers_bulk_save

    question = Question.objects.filter(version=assessment.pins.get().version).first()
    with pytest.raises(BulkAnswerError) as refused:
        answers_bulk_save(
            actor=officer,
            assessment=assessment,
            items=[
                (question.pk, AnswerInput(value="yes", revision=4)),
                (question.pk, AnswerInput()),
            ],
        )
    assert [(e.index, e.field, e.code) for e in refused.value.errors] == [
        (0, "revision", "conflict"),
        (1, "question", "duplicate"),
    ]
    assert all(isinstance(e, ItemError) for e in refused.value.errors)
    assert not refused.value.is_conflict and not Answer.objects.exists()
