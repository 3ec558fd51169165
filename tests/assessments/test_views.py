"""Assessment pages: the permission matrix, autosave responses and query counts."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Answer, Assessment, AssessmentStatus, Evidence
from assessments.selectors import questionnaire_build
from assessments.services import AnswerInput, answer_save, evidence_upload
from portal.models import AuditEvent, AuditEventType
from tests.conftest import question_of
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def world(assessment, officer, auditor, other_officer):
    version = assessment.pins.get().version
    question = question_of(version, "q:art-7-contact")
    evidence = evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=question.pk,
        upload=SimpleUploadedFile("a.pdf", PDF),
    )
    section = questionnaire_build(assessment=assessment).frameworks[0].sections[0].section
    return {
        "assessment": assessment,
        "question": question,
        "evidence": evidence,
        "section": section,
    }


def reads(w):
    a = w["assessment"].pk
    return [
        reverse("assessments:detail", args=[a]),
        reverse("assessments:scoping", args=[a]),
        reverse("assessments:section", args=[a, w["section"].pk]),
        reverse("assessments:history", args=[a]),
        reverse("assessments:evidence_download", args=[a, w["evidence"].pk]),
    ]


def writes(w):
    a, q = w["assessment"].pk, w["question"].pk
    return [
        (
            reverse("assessments:answer", args=[a, q]),
            {"type": "yes_no_partial", "value": "no", "revision": "1"},
        ),
        (
            reverse("assessments:evidence_upload", args=[a, q]),
            {"file": SimpleUploadedFile("b.pdf", PDF)},
        ),
        (reverse("assessments:evidence_delete", args=[a, w["evidence"].pk]), {}),
        (
            reverse("assessments:scoping", args=[a]),
            {"roles": ["ai_provider"], "handles_personal_info": "on"},
        ),
        (reverse("assessments:submit", args=[a]), {}),
        (reverse("assessments:reopen", args=[a]), {}),
    ]


def login(client, username):
    from portal.models import User

    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("who", ["officer", "auditor"])
def test_members_read_every_page(client, world, who):
    login(client, who)
    for url in reads(world):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["intruder", "staff"])
def test_outsiders_get_the_same_404_as_for_a_missing_assessment(client, world, who):
    StaffFactory(username="staff")
    login(client, who)
    missing = reverse("assessments:detail", args=[99999])
    assert client.get(missing).status_code == 404
    for url in reads(world):
        assert client.get(url).status_code == 404, url
    for url, data in writes(world):
        assert client.post(url, data).status_code == 404, url
    assert Answer.objects.filter(value="no").count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for url in reads(world):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for url, data in writes(world):
        assert client.post(url, data).status_code == 302


def test_auditors_cannot_change_anything(client, world):
    login(client, "auditor")
    before = (Answer.objects.count(), Evidence.objects.count(), AuditEvent.objects.count())
    for url, data in writes(world):
        assert client.post(url, data).status_code == 403, url
    assert client.post(reverse("assessments:create"), {"name": "x"}).status_code == 403
    assert (Answer.objects.count(), Evidence.objects.count(), AuditEvent.objects.count()) == before
    page = client.get(
        reverse("assessments:section", args=[world["assessment"].pk, world["section"].pk])
    ).content.decode()
    assert "answer-form" not in page and 'type="file"' not in page


def test_officers_can_do_every_write(client, world):
    login(client, "officer")
    statuses = [client.post(url, data).status_code for url, data in writes(world)]
    assert statuses[:3] == [200, 200, 200]
    assert all(code in (200, 302) for code in statuses)


def test_autosave_returns_status_revision_and_progress(client, world):
    login(client, "officer")
    url = reverse("assessments:answer", args=[world["assessment"].pk, world["question"].pk])
    response = client.post(
        url,
        {"type": "yes_no_partial", "value": "yes", "revision": "1", "comment": "ok"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="save-status saved"' in body
    assert 'id="revision-%d" hx-swap-oob="true"' % world["question"].pk in body.replace(
        'value="2" ', ""
    )
    assert 'id="progress"' in body
    # The follow-up question appears out of band once its parent is answered "yes".
    follow_up = question_of(world["question"].version, "q:art-7-contact-who")
    assert f'id="question-{follow_up.pk}"' in body


@pytest.mark.parametrize(
    ("data", "status", "text"),
    [
        ({"type": "yes_no_partial", "value": "perhaps"}, 422, "offered"),
        ({"type": "yes_no_partial", "not_applicable": "on", "justification": ""}, 422, "why"),
        ({"type": "yes_no_partial", "value": "no", "revision": "0"}, 409, "someone else"),
        ({"type": "yes_no_partial", "value": "no", "revision": "abc"}, 409, "someone else"),
    ],
)
def test_autosave_refusals_explain_and_change_nothing(client, world, data, status, text):
    login(client, "officer")
    client.post(reverse("set_language"), {"language": "en"})
    url = reverse("assessments:answer", args=[world["assessment"].pk, world["question"].pk])
    before = list(Answer.objects.values_list("revision", "value"))
    response = client.post(url, data)
    assert response.status_code == status
    assert text in response.content.decode().lower()
    assert list(Answer.objects.values_list("revision", "value")) == before


def test_autosave_to_a_question_outside_the_assessment_is_404(client, world):
    login(client, "officer")
    assert (
        client.post(
            reverse("assessments:answer", args=[world["assessment"].pk, 999999]), {"value": "yes"}
        ).status_code
        == 404
    )


def test_locked_assessment_refuses_autosave(client, world):
    Assessment.objects.filter(pk=world["assessment"].pk).update(status=AssessmentStatus.SUBMITTED)
    login(client, "officer")
    url = reverse("assessments:answer", args=[world["assessment"].pk, world["question"].pk])
    assert (
        client.post(url, {"type": "yes_no_partial", "value": "yes", "revision": "1"}).status_code
        == 422
    )


def test_submit_with_missing_answers_lists_them_with_links(client, world):
    login(client, "officer")
    response = client.post(
        reverse("assessments:submit", args=[world["assessment"].pk]), follow=True
    )
    page = response.content.decode()
    assert 'id="missing"' in page
    assert f"#question-{world['question'].pk}" in page
    assert Assessment.objects.get().status == AssessmentStatus.IN_PROGRESS


def test_bad_upload_shows_a_message_and_stores_nothing(client, world):
    login(client, "officer")
    url = reverse(
        "assessments:evidence_upload", args=[world["assessment"].pk, world["question"].pk]
    )
    response = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"GIF89a")})
    assert response.status_code == 400
    assert Evidence.objects.count() == 1


def test_evidence_download_is_an_attachment_and_is_audited(client, world):
    login(client, "auditor")
    response = client.get(
        reverse(
            "assessments:evidence_download", args=[world["assessment"].pk, world["evidence"].pk]
        )
    )
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(event_type=AuditEventType.EVIDENCE_DOWNLOADED).count() == 1


def test_evidence_of_another_assessment_is_404(
    client, world, officer, organisation, published_version
):
    from assessments.services import assessment_create
    from tests.conftest import PROVIDER_WITH_PI

    other = assessment_create(
        actor=officer,
        organisation=organisation,
        name="Other",
        versions=[published_version],
        scoping=PROVIDER_WITH_PI,
    )
    login(client, "officer")
    assert (
        client.get(
            reverse("assessments:evidence_download", args=[other.pk, world["evidence"].pk])
        ).status_code
        == 404
    )


def _assessment_with_questions(officer, organisation, document, extra: int):
    """An answered assessment of a framework like the minimal one with ``extra`` more questions."""
    from assessments.services import assessment_create
    from frameworks.document import QuestionDoc
    from frameworks.services import framework_version_load
    from tests.conftest import PROVIDER_WITH_PI

    document = document.model_copy(deep=True)
    urn = f"urn:tekigo:fw:size-{extra}"
    data = document.model_dump(mode="json", by_alias=True, exclude_none=True)
    text = json.dumps(data).replace("urn:tekigo:fw:example-act", urn)
    document = type(document).model_validate_json(text)
    provision = document.sections[0].provisions[0]
    template = provision.questions[0]
    for n in range(extra):
        provision.questions.append(
            QuestionDoc.model_validate(
                {
                    **template.model_dump(mode="json", by_alias=True, exclude_none=True),
                    "urn": f"{urn}:q:extra-{n}",
                }
            )
        )
    version = framework_version_load(document=document).version
    assessment = assessment_create(
        actor=officer,
        organisation=organisation,
        name=f"size {extra}",
        versions=[version],
        scoping=PROVIDER_WITH_PI,
    )
    for block in questionnaire_build(assessment=assessment).questions.values():
        if block.counts:
            answer_save(
                actor=officer,
                assessment=assessment,
                question_id=block.question.pk,
                data=AnswerInput(
                    value=block.question.choices[0]["key"] if block.question.choices else "x",
                    comment="c",
                ),
            )
    return assessment


def test_section_page_query_count_does_not_grow_with_questions(
    client, officer, organisation, minimal_document
):
    login(client, "officer")
    counts = []
    for extra in (0, 40):
        assessment = _assessment_with_questions(officer, organisation, minimal_document, extra)
        section = questionnaire_build(assessment=assessment).frameworks[0].sections[0].section
        url = reverse("assessments:section", args=[assessment.pk, section.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200
        assert page.content.decode().count('class="answer-form"') == 2 + extra
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 15


def test_dashboard_lists_the_organisations_assessments_only(client, world, other_officer):
    login(client, "officer")
    assert "FY2026 review" in client.get(reverse("assessments:dashboard")).content.decode()
    login(client, "intruder")
    assert "FY2026 review" not in client.get(reverse("assessments:dashboard")).content.decode()


def test_upgrade_preview_and_confirm(client, world, staff):
    from frameworks.services import framework_version_clone, framework_version_publish

    target = framework_version_publish(
        actor=staff,
        version=framework_version_clone(
            actor=staff, version=world["question"].version, label="2025.2"
        ),
    )
    pin = world["assessment"].pins.get()
    login(client, "officer")
    page = client.get(reverse("assessments:detail", args=[world["assessment"].pk])).content.decode()
    assert reverse("assessments:upgrade", args=[world["assessment"].pk, pin.pk]) in page
    preview = client.get(
        reverse("assessments:upgrade", args=[world["assessment"].pk, pin.pk])
    ).content.decode()
    assert "2025.1" in preview and "2025.2" in preview
    client.post(
        reverse("assessments:upgrade", args=[world["assessment"].pk, pin.pk]), {"target": target.pk}
    )
    pin.refresh_from_db()
    assert pin.version == target


def test_refusal_messages_follow_the_interface_language(client, world):
    login(client, "officer")
    url = reverse("assessments:answer", args=[world["assessment"].pk, world["question"].pk])
    client.post(reverse("set_language"), {"language": "ja"})
    assert (
        "選択肢から1つ選んでください"
        in client.post(url, {"type": "yes_no_partial", "value": "x"}).content.decode()
    )
    client.post(reverse("set_language"), {"language": "en"})
    assert (
        "Choose one of the offered answers"
        in client.post(url, {"type": "yes_no_partial", "value": "x"}).content.decode()
    )


GARBAGE = [
    {},
    {"type": "number", "value": "1e400"},
    {"type": "date", "value": "2026-02-30"},
    {"type": "multiple_choice", "value": ["web", "web", "zzz"]},
    {"value": "\x00", "comment": "\ud800" if False else "x" * 20_000},
    {"revision": "-5", "not_applicable": "on", "justification": "ok"},
    {"roles": ["astronaut"], "foundation_model_parameters": "9" * 30},
    {"target": "abc", "name": "", "versions": ["x"]},
]


@pytest.mark.parametrize("payload", GARBAGE)
def test_no_write_endpoint_answers_500_to_garbage(client, world, payload):
    login(client, "officer")
    a = world["assessment"].pk
    pin = world["assessment"].pins.get().pk
    urls = [url for url, _data in writes(world)] + [
        reverse("assessments:create"),
        reverse("assessments:upgrade", args=[a, pin]),
    ]
    for url in urls:
        response = client.post(url, payload)
        assert response.status_code < 500, (url, response.status_code)


def test_keep_my_answer_resends_the_officers_own_form(client, world):
    """The conflict's button must send the officer's form, not an empty answer (a browser test caught this)."""
    from assessments.services import AnswerInput, answer_save

    answer_save(
        actor=world["assessment"].created_by,
        assessment=world["assessment"],
        question_id=world["question"].pk,
        data=AnswerInput(value="no"),
    )
    login(client, "officer")
    url = reverse("assessments:answer", args=[world["assessment"].pk, world["question"].pk])
    body = client.post(
        url, {"type": "yes_no_partial", "value": "partial", "revision": "0"}
    ).content.decode()
    assert f'hx-include="#question-{world["question"].pk} form.answer-form"' in body


# --- Release notes (framework authoring) -------------------------------------------------------


def test_upgrade_summary_shows_the_release_note_of_the_new_version(client, world, staff):
    from frameworks.services import framework_version_clone, framework_version_publish

    framework_version_publish(
        actor=staff,
        version=framework_version_clone(
            actor=staff, version=world["question"].version, label="2025.2"
        ),
        release_note_ja="第7条の質問を改めた。",
        release_note_en="Reworded the Art. 7 question.",
    )
    pin = world["assessment"].pins.get()
    login(client, "officer")
    url = reverse("assessments:upgrade", args=[world["assessment"].pk, pin.pk])
    client.post(reverse("set_language"), {"language": "en"})
    assert "Reworded the Art. 7 question." in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "ja"})
    assert "第7条の質問を改めた。" in client.get(url).content.decode()
