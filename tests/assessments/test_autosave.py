"""The autosave answers with only what changed (issue 14, issue 12 "the sidebar and section counts
update on every save"): the status and revision, the progress numbers that moved, and the
follow-up questions that appeared or disappeared, in a constant number of queries."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Answer
from assessments.selectors import (
    questionnaire_build,
    questionnaire_change_get,
    questionnaire_question_get,
)
from assessments.services import AnswerInput, answer_autosave, answer_save, evidence_upload
from portal.context_processors import notifications, tenancy
from portal.models import AuditEvent
from tests.assessments.test_views import _assessment_with_questions
from tests.conftest import question_of

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
#: Queries of one autosave before this change (eb4d6e2), measured with the test client: 20 with
#: HX-Request (as htmx sends it), 22 without (the tenancy and notification context processors).
QUERIES_BEFORE = 20
#: Queries of the first autosave of an assessment at its revision, which moves a count, with the
#: test client: session, user, the assessment with the membership, the pins (then kept for the
#: revision); in the service the savepoint of the test's transaction and its release, the
#: assessment locked and touched in one UPDATE, the answer lock, its update, and the audit chain
#: (head, row, head); then the answers, for the counts.
QUERIES_NOW = 13
#: The common save (an answered question's comment or value, no follow-up moves): no pins (kept
#: for the revision) and no answers read.
QUERIES_COMMON = QUERIES_NOW - 2


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def questions(assessment):
    version = assessment.pins.get().version
    return {
        "contact": question_of(version, "q:art-7-contact"),
        "who": question_of(version, "q:art-7-contact-who"),
        "channels": question_of(version, "q:pi-channels"),
    }


def save(client, assessment, question, revision, hx=True, **data):
    url = reverse("assessments:answer", args=[assessment.pk, question.pk])
    payload = {"type": question.type, "revision": str(revision), **data}
    headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
    return client.post(url, payload, **headers)


def oob(body: str, element_id: str) -> str:
    """The out-of-band element with ``element_id`` in an autosave response ('' when absent)."""
    match = re.search(
        rf'<(\w+)[^>]*\bid="{re.escape(element_id)}"[^>]*hx-swap-oob="true"[^>]*>(.*?)</\1>',
        body,
        re.S,
    )
    return match.group(0) if match else ""


def test_a_save_answers_with_status_revision_progress_and_the_follow_up_that_appeared(
    officer_client, assessment, questions
):
    contact, who = questions["contact"], questions["who"]
    response = save(officer_client, assessment, contact, 0, value="yes")
    body = response.content.decode()

    assert response.status_code == 200
    assert f'id="status-{contact.pk}"' in body and "save-status saved" in body
    assert f'value="1" id="revision-{contact.pk}" hx-swap-oob="true"' in body
    # The numbers are the questionnaire's after the save: "yes" answered one question and
    # showed its follow-up (one more applicable question).
    after = questionnaire_build(assessment=assessment)
    assert (after.progress.answered, after.progress.applicable) == (1, 3)
    assert "1 / 3 (33%)" in oob(body, "progress")
    framework = after.frameworks[0]
    assert ">1/3</span>" in oob(body, f"count-fw-{framework.pin.pk}")
    chapter = after.section_of(contact.pk)
    assert ">1/2</span>" in oob(body, f"count-section-{chapter.section.pk}")
    # The section of the other question did not move: not sent.
    other = after.section_of(questions["channels"].pk)
    assert f'id="count-section-{other.section.pk}"' not in body
    # The follow-up appears, drawn in full (its form), no longer hidden.
    card = oob(body, f"question-{who.pk}")
    assert card and " hidden" not in card.split(">", 1)[0] and 'class="answer-form"' in card


def test_a_follow_up_disappears_out_of_band_when_its_parent_no_longer_asks_for_it(
    officer_client, assessment, questions
):
    contact, who = questions["contact"], questions["who"]
    save(officer_client, assessment, contact, 0, value="yes")
    body = save(officer_client, assessment, contact, 1, value="no").content.decode()

    card = oob(body, f"question-{who.pk}")
    assert card and "hidden-followup" in card and " hidden" in card.split(">", 1)[0]
    assert "1 / 2 (50%)" in oob(body, "progress")


def test_a_follow_up_that_reappears_keeps_its_answer_and_evidence(
    officer_client, officer, assessment, questions
):
    contact, who = questions["contact"], questions["who"]
    save(officer_client, assessment, contact, 0, value="yes")
    save(officer_client, assessment, who, 0, value="Alice in legal")
    evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=who.pk,
        upload=SimpleUploadedFile("contact.pdf", PDF),
    )
    save(officer_client, assessment, contact, 1, value="no")
    body = save(officer_client, assessment, contact, 2, value="yes").content.decode()

    card = oob(body, f"question-{who.pk}")
    assert "Alice in legal" in card and "contact.pdf" in card
    assert "2 / 3 (67%)" in oob(body, "progress")


def test_a_comment_alone_moves_nothing_and_builds_no_questionnaire(
    officer_client, assessment, questions
):
    """The common save (typing into an answered question) answers with the status and revision
    only: no progress panel, no counts, no follow-up, and the assessment's answers are not read."""
    contact, who = questions["contact"], questions["who"]
    save(officer_client, assessment, contact, 0, value="yes")
    with CaptureQueriesContext(connection) as queries:
        body = save(officer_client, assessment, contact, 1, value="yes", comment="ok")
    body = body.content.decode()

    assert "save-status saved" in body and f'value="2" id="revision-{contact.pk}"' in body
    assert 'id="count-' not in body and 'id="progress"' not in body
    assert f'id="question-{who.pk}"' not in body
    answers = [
        q["sql"] for q in queries.captured_queries if 'FROM "assessments_answer"' in q["sql"]
    ]
    assert len(answers) == 1  # the service's own read of the answer it saves
    assert len(queries) == QUERIES_COMMON
    assert Answer.objects.get(question=contact).comment == "ok"


def test_a_save_that_only_changes_a_value_moves_nothing(officer_client, assessment, questions):
    """A question no other question depends on, answered before and after: nothing to redraw."""
    channels = questions["channels"]
    save(officer_client, assessment, channels, 0, value=["web"])
    body = save(officer_client, assessment, channels, 1, value=["web", "paper"]).content.decode()

    assert f'value="2" id="revision-{channels.pk}"' in body
    assert 'id="progress"' not in body and 'id="count-' not in body


def test_a_stale_revision_is_409_with_the_other_answer_and_stores_nothing(
    officer_client, officer, assessment, questions
):
    contact = questions["contact"]
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=contact.pk,
        data=AnswerInput(value="no", comment="theirs"),
    )
    events = AuditEvent.objects.count()
    response = save(officer_client, assessment, contact, 0, value="yes")
    body = response.content.decode()

    assert response.status_code == 409
    assert "save-status conflict" in body and "theirs" in oob(body, f"conflict-{contact.pk}")
    assert f'id="revision-{contact.pk}"' not in body and 'id="progress"' not in body
    assert Answer.objects.get(question=contact).revision == 1
    assert AuditEvent.objects.count() == events


def test_a_question_outside_the_assessment_is_404(officer_client, assessment, minimal_document):
    from frameworks.models import Question

    foreign = Question.objects.exclude(version__assessment_pins__assessment=assessment).first()
    url = reverse("assessments:answer", args=[assessment.pk, foreign.pk if foreign else 999999])
    assert officer_client.post(url, {"value": "yes"}).status_code == 404


@pytest.mark.parametrize("hx", [True, False])
def test_a_save_runs_a_constant_number_of_queries_fewer_than_before(
    client, officer, organisation, minimal_document, hx
):
    """The same count for 2 and 42 questions, with or without HX-Request (the autosave view is a
    fragment: the header's context processors add no query), and fewer than before."""
    client.force_login(officer)
    counts = []
    for extra in (0, 40):
        assessment = _assessment_with_questions(officer, organisation, minimal_document, extra)
        contact = question_of(assessment.pins.get().version, "q:art-7-contact")
        revision = Answer.objects.get(assessment=assessment, question=contact).revision
        with CaptureQueriesContext(connection) as queries:
            response = save(client, assessment, contact, revision, hx=hx, value="no")
        assert response.status_code == 200
        assert 'hx-swap-oob="true"' in response.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] < QUERIES_BEFORE
    assert counts[0] == QUERIES_NOW  # what it is today: a regression shows here first
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "portal_notification" not in sql
    # The membership is read once, with the assessment; the question is not read again.
    assert sum('"portal_membership"' in q["sql"] for q in queries.captured_queries) == 1
    assert 'FROM "frameworks_question"' not in sql
    # One audit row, without a savepoint of its own.
    assert sum(q["sql"].startswith("SAVEPOINT") for q in queries.captured_queries) <= 1


def test_the_header_context_processors_query_once_per_request(rf: RequestFactory, officer):
    request = rf.get("/")
    request.user = officer
    request.session = {}
    with CaptureQueriesContext(connection) as first:
        tenancy(request), notifications(request)
    with CaptureQueriesContext(connection) as second:
        assert tenancy(request)["memberships"]
        notifications(request)
    assert len(first) >= 2 and len(second) == 0
    fragment = rf.get("/", HTTP_HX_REQUEST="true")
    fragment.user = officer
    with CaptureQueriesContext(connection) as third:
        assert tenancy(fragment) == {} and notifications(fragment) == {}
    assert len(third) == 0


@pytest.mark.parametrize(
    ("earlier", "key", "value"),
    [
        ({}, "channels", ["web"]),  # a count moves, no follow-up
        ({}, "contact", "yes"),  # a count moves and a follow-up appears
        ({}, "contact", "no"),  # a count moves, the follow-up stays hidden
        ({"contact": "yes"}, "contact", "no"),  # the follow-up disappears
        ({"contact": "yes"}, "who", "Alice"),  # a follow-up answered while shown
        ({"contact": "yes"}, "contact", "yes"),  # the same value again: nothing moves
        ({"channels": ["web"]}, "channels", ["paper"]),  # answered before and after
    ],
)
def test_the_change_of_a_save_is_the_difference_of_two_fresh_builds(
    officer, assessment, questions, earlier, key, value
):
    """Every path of questionnaire_change_get (nothing built, the question's own counts, a second
    assembly) must report exactly what differs between a fresh build before and after the save."""
    for name, earlier_value in earlier.items():
        answer_save(
            actor=officer,
            assessment=assessment,
            question_id=questions[name].pk,
            data=AnswerInput(value=earlier_value, comment="earlier"),
        )
    before = questionnaire_build(assessment=assessment, with_evidence=False)
    saved = answer_autosave(
        actor=officer,
        assessment=assessment,
        question_id=questions[key].pk,
        data=AnswerInput(value=value),
    )
    pins = list(assessment.pins.select_related("version"))
    question = questionnaire_question_get(pins=pins, pk=questions[key].pk)
    with CaptureQueriesContext(connection) as queries:
        change = questionnaire_change_get(
            assessment=assessment,
            pins=pins,
            question=question,
            answer=saved.answer,
            previous=saved.previous,
        )
    after = questionnaire_build(assessment=assessment)

    def numbers(q):
        return (
            q.progress,
            [f.progress for f in q.frameworks],
            {pk: s.progress for pk, s in q.sections.items()},
            {pk: b.visible for pk, b in q.questions.items()},
        )

    moved_sections = {
        pk for pk, s in after.sections.items() if s.progress != before.sections[pk].progress
    }
    shown = {
        pk for pk, b in after.questions.items() if b.visible and not before.questions[pk].visible
    }
    hidden = {
        pk for pk, b in after.questions.items() if before.questions[pk].visible and not b.visible
    }
    if change.questionnaire is None:
        assert numbers(after) == numbers(before) and len(queries) == 0
    else:
        assert numbers(change.questionnaire) == numbers(after)
        assert len(queries) == 1  # the answers; no follow-up here has evidence
        block = change.questionnaire.questions[questions[key].pk]
        assert block.answer.revision == saved.answer.revision
    assert {s.section.pk for s in change.sections} == moved_sections
    assert {b.question.pk for b in change.appeared} == shown
    assert {b.question.pk for b in change.disappeared} == hidden
    assert bool(change.frameworks) == (after.progress != before.progress)


def test_a_question_without_follow_ups_moves_its_section_its_parents_and_its_framework(
    officer_client, assessment, questions
):
    channels = questions["channels"]
    body = save(officer_client, assessment, channels, 0, value=["web"]).content.decode()

    after = questionnaire_build(assessment=assessment)
    section = after.section_of(channels.pk)  # "Acquisition", inside "Personal information"
    assert section.section.parent_id is not None
    assert ">1/1</span>" in oob(body, f"count-section-{section.section.pk}")
    assert ">1/1</span>" in oob(body, f"count-section-{section.section.parent_id}")
    assert ">1/2</span>" in oob(body, f"count-fw-{after.frameworks[0].pin.pk}")
    assert "1 / 2 (50%)" in oob(body, "progress")
    assert 'id="question-' not in body


# --- Fewer queries per save (branch autosave2) ---------------------------------------------------


def test_the_service_believes_the_callers_question_only_at_the_revision_the_caller_read(
    officer, assessment, questions, minimal_document
):
    """The autosave passes the question it already read; after an upgrade (which re-pins and
    moves the assessment's revision) the service reads it again and refuses a question that is
    no longer pinned, as it would without the shortcut."""
    from assessments.models import Assessment
    from frameworks.models import Question
    from tests.assessments.test_views import _assessment_with_questions

    other = _assessment_with_questions(officer, assessment.organisation, minimal_document, 1)
    foreign = Question.objects.filter(version__assessment_pins__assessment=other).first()
    stale = Assessment.objects.get(pk=assessment.pk)
    Assessment.objects.filter(pk=assessment.pk).update(revision=stale.revision + 1)

    with pytest.raises(ValidationError) as refused:
        answer_save(
            actor=officer,
            assessment=stale,
            question_id=foreign.pk,
            question=foreign,
            data=AnswerInput(value="yes"),
        )
    assert "question" in refused.value.message_dict
    assert not Answer.objects.filter(assessment=assessment, question=foreign).exists()


def test_the_service_does_not_read_the_question_again_when_the_caller_passes_it(
    officer, assessment, questions
):
    contact = questions["contact"]
    with CaptureQueriesContext(connection) as queries:
        answer = answer_save(
            actor=officer,
            assessment=assessment,
            question_id=contact.pk,
            question=contact,
            data=AnswerInput(value="yes"),
        )
    assert answer.question_id == contact.pk and answer.revision == 1
    assert not any('FROM "frameworks_question"' in q["sql"] for q in queries.captured_queries)


def test_the_access_selector_reads_the_assessment_and_the_membership_in_one_query(
    officer, assessment, user
):
    from django.http import Http404

    from assessments.selectors import access_assessment
    from portal.models import Membership
    from tests.factories import MembershipFactory

    with CaptureQueriesContext(connection) as queries:
        access = access_assessment(user=officer, pk=assessment.pk, write=True)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as later:
        membership = access.membership
        assert (membership.user, membership.organisation) == (officer, assessment.organisation)
    assert len(later) == 0
    # Every column is the stored row's (a member whose user id differs from the membership id).
    stored = MembershipFactory(user__username="second", organisation=assessment.organisation)
    assert stored.pk != stored.user_id
    membership = access_assessment(user=stored.user, pk=assessment.pk).membership
    assert [getattr(membership, f.attname) for f in Membership._meta.concrete_fields] == [
        getattr(stored, f.attname) for f in Membership._meta.concrete_fields
    ]
    with pytest.raises(Http404):  # not a member: the same 404 as a missing assessment
        access_assessment(user=user, pk=assessment.pk)
    with pytest.raises(Http404):
        access_assessment(user=officer, pk=assessment.pk + 1000)


# --- Pins kept per revision ----------------------------------------------------------------------


def test_the_pins_are_read_once_per_revision_and_again_after_it_moves(assessment):
    from assessments.models import Assessment
    from assessments.selectors import pins_of_revision

    first = pins_of_revision(Assessment.objects.get(pk=assessment.pk))
    with CaptureQueriesContext(connection) as queries:
        again = pins_of_revision(Assessment.objects.get(pk=assessment.pk))
    assert again is first and len(queries) == 1  # the assessment's own row only
    Assessment.objects.filter(pk=assessment.pk).update(revision=assessment.revision + 1)
    with CaptureQueriesContext(connection) as queries:
        moved = pins_of_revision(Assessment.objects.get(pk=assessment.pk))
    assert moved is not first and moved == first and len(queries) == 2


def test_after_an_upgrade_the_autosave_answers_the_new_version_and_refuses_the_old(
    officer_client, officer, staff, assessment, questions, published_version
):
    """The autosave keeps the pins per revision; the upgrade moves the revision, so the very
    next save sees the new version's question and a 404 for the old one."""
    from frameworks.services import framework_version_clone, framework_version_publish

    contact = questions["contact"]
    save(officer_client, assessment, contact, 0, value="yes")  # the pins are now kept
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    target = framework_version_publish(actor=staff, version=draft)
    services.assessment_upgrade(
        actor=officer, assessment=assessment, pin=assessment.pins.get(), target=target
    )
    new_contact = question_of(target, "q:art-7-contact")
    revision = Answer.objects.get(question=new_contact).revision

    response = save(officer_client, assessment, new_contact, revision, value="no")
    assert response.status_code == 200
    assert Answer.objects.get(question=new_contact).value == "no"
    assert save(officer_client, assessment, contact, 1, value="no").status_code == 404
    assert Answer.objects.get(question=contact).value == "yes"  # history, unchanged
