"""The REST API: authentication, scoping, the error shape, bulk saves and the schema."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import Answer
from portal.models import ApiToken, AuditEvent, AuditEventType, User
from portal.services import api_token_create
from tests.conftest import question_of
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def client_for(username: str | None) -> APIClient:
    client = APIClient(
        HTTP_ACCEPT_LANGUAGE="en"
    )  # messages follow Accept-Language; Japanese by default
    if username:
        _token, key = api_token_create(user=User.objects.get(username=username), name="test")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def world(assessment, officer, auditor, other_officer):
    version = assessment.pins.get().version
    return {
        "a": assessment.pk,
        "q": question_of(version, "q:art-7-contact").pk,
        "pi": question_of(version, "q:pi-channels").pk,
        "version": version.pk,
    }


def test_tokens_are_stored_hashed_and_work_until_revoked(officer):
    from portal.services import api_token_revoke

    token, key = api_token_create(user=officer, name="CI")
    assert key.startswith("tk_") and key not in (token.key_sha256, token.prefix)
    assert ApiToken.objects.filter(key_sha256=ApiToken.digest(key)).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/organisations/").status_code == 200
    api_token_revoke(user=officer, token=token)
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"
    assert AuditEvent.objects.filter(event_type=AuditEventType.API_TOKEN_REVOKED).exists()


def test_token_page_shows_a_new_token_once(client, officer):
    client.force_login(officer)
    page = client.post(reverse("api_tokens"), {"name": "export"}).content.decode()
    token = ApiToken.objects.get()
    key = page.split("<code>tk_")[1].split("</code>")[0]
    assert ApiToken.digest("tk_" + key) == token.key_sha256
    assert "tk_" + key not in client.get(reverse("api_tokens")).content.decode()
    client.post(reverse("api_tokens"), {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_anonymous_requests_get_a_json_401():
    response = client_for(None).get("/api/v1/assessments/")
    assert response.status_code == 401 and response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": [
            {
                "field": None,
                "message": "Authentication credentials were not provided.",
                "code": "not_authenticated",
            }
        ]
    }


def test_unknown_api_paths_answer_json_not_html(settings):
    settings.DEBUG = False
    response = client_for(None).get("/api/v1/nowhere/")
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"


READS = [
    "/api/v1/assessments/{a}/",
    "/api/v1/assessments/{a}/answers/",
    "/api/v1/assessments/{a}/comments/",
    "/api/v1/assessments/{a}/history/",
    "/api/v1/assessments/{a}/reports/",
    "/api/v1/assessments/{a}/questions/{q}/evidence/",
]


@pytest.mark.parametrize("who", ["officer", "auditor"])
def test_members_read(world, who):
    client = client_for(who)
    for url in READS:
        assert client.get(url.format(**world)).status_code == 200, url
    assert [a["id"] for a in client.get("/api/v1/assessments/").json()["results"]] == [world["a"]]


@pytest.mark.parametrize("who", ["intruder", "staff"])
def test_outsiders_get_404(world, who):
    StaffFactory(username="staff")
    client = client_for(who)
    for url in READS:
        response = client.get(url.format(**world))
        assert (
            response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"
        ), url
    assert client.get("/api/v1/assessments/").json()["results"] == []
    items = {"items": [{"question": world["q"], "value": "yes"}]}
    assert (
        client.post(f"/api/v1/assessments/{world['a']}/answers/", items, format="json").status_code
        == 404
    )


def test_auditors_cannot_write(world):
    client = client_for("auditor")
    a = world["a"]
    assert (
        client.post(
            f"/api/v1/assessments/{a}/answers/",
            {"items": [{"question": world["q"], "value": "yes"}]},
            format="json",
        ).status_code
        == 403
    )
    assert (
        client.put(
            f"/api/v1/assessments/{a}/scoping/",
            {"scoping": {"roles": ["ai_provider"]}},
            format="json",
        ).status_code
        == 403
    )
    assert client.post(f"/api/v1/assessments/{a}/submit/", {}, format="json").status_code == 403
    assert not Answer.objects.exists()


def test_bulk_save_is_all_or_nothing_with_errors_per_item(world):
    client = client_for("officer")
    url = f"/api/v1/assessments/{world['a']}/answers/"
    bad = {
        "items": [
            {"question": world["q"], "value": "yes"},
            {"question": world["pi"], "value": ["fax"]},
            {"question": 999999, "value": "x"},
        ]
    }
    response = client.post(url, bad, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("items[1].value", "invalid"),
        ("items[2].question", "invalid"),
    ]
    assert not Answer.objects.exists()
    good = {
        "items": [
            {"question": world["q"], "value": "yes", "comment": "ok", "revision": 0},
            {"question": world["pi"], "value": ["web"]},
        ]
    }
    response = client.post(url, good, format="json")
    assert response.status_code == 200
    assert {
        a["value"] if isinstance(a["value"], str) else tuple(a["value"]) for a in response.json()
    } == {"yes", ("web",)}
    comments = client.get(f"/api/v1/assessments/{world['a']}/comments/").json()["results"]
    assert [(c["question"], c["comment"], c["updated_by"]) for c in comments] == [
        (world["q"], "ok", "officer")
    ]
    stale = client.post(
        url, {"items": [{"question": world["q"], "value": "no", "revision": 0}]}, format="json"
    )
    assert stale.status_code == 409 and stale.json()["errors"][0] == {
        "field": "items[0].revision",
        "message": "This answer changed meanwhile (now at revision 1).",
        "code": "conflict",
    }


def test_create_submit_and_reopen_through_the_api(world, published_version):
    client = client_for("officer")
    from portal.models import Organisation

    org = Organisation.objects.get(name="Acme AI").pk
    response = client.post(
        "/api/v1/assessments/",
        {
            "organisation": org,
            "name": "API",
            "frameworks": ["urn:tekigo:fw:example-act"],
            "scoping": {"roles": ["ai_business_user"]},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["frameworks"][0]["version"] == "2025.1"
    incomplete = client.post(f"/api/v1/assessments/{created['id']}/submit/", {}, format="json")
    assert incomplete.status_code == 400 and incomplete.json()["errors"][0]["field"].startswith(
        "questions["
    )
    bad_scope = client.put(
        f"/api/v1/assessments/{created['id']}/scoping/",
        {"scoping": {"roles": ["pirate"], "colour": 1}},
        format="json",
    )
    assert bad_scope.status_code == 400
    assert {e["field"] for e in bad_scope.json()["errors"]} == {
        "scoping.roles[0]",
        "scoping.colour",
    }


def test_staff_edit_drafts_and_published_questions_answer_409(world, staff):
    client = client_for("admin")
    version = world["version"]
    question = world["q"]
    assert (
        client.patch(
            f"/api/v1/questions/{question}/", {"prompt_en": "x"}, format="json"
        ).status_code
        == 409
    )
    clone = client.post(
        f"/api/v1/versions/{version}/clone/", {"version": "2025.9"}, format="json"
    ).json()
    draft_question = client.get(f"/api/v1/versions/{clone['id']}/questions/").json()["results"][0]
    assert (
        client.patch(
            f"/api/v1/questions/{draft_question['id']}/", {"prompt_en": "Reworded?"}, format="json"
        ).status_code
        == 200
    )
    diff = client.get(f"/api/v1/versions/{clone['id']}/diff/?against={version}").json()
    assert diff["changed"][0]["changes"][0]["field"] == "prompt.en"
    missing = client.post(f"/api/v1/versions/{clone['id']}/publish/", {}, format="json")
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {
        "effective_date",
        "release_note_ja",
        "release_note_en",
    }
    published = client.post(
        f"/api/v1/versions/{clone['id']}/publish/",
        {
            "effective_date": "2026-01-01",
            "release_note_ja": "文言修正",
            "release_note_en": "Reworded",
        },
        format="json",
    ).json()
    assert published["status"] == "published" and published["release_note_en"] == "Reworded"
    assert (
        client_for("officer")
        .post(f"/api/v1/versions/{version}/clone/", {"version": "x"}, format="json")
        .status_code
        == 403
    )


def test_schema_is_served_and_documents_errors(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/assessments/{id}/answers/" in text and "Errors" in text and "tokenAuth" in text


def test_bulk_save_runs_in_a_constant_number_of_queries(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.models import Assessment
    from assessments.services import AnswerInput, answers_bulk_save

    assessment = Assessment.objects.get(pk=world["a"])
    officer = User.objects.get(username="officer")
    with CaptureQueriesContext(connection) as two:
        answers_bulk_save(
            actor=officer,
            assessment=assessment,
            items=[
                (world["q"], AnswerInput(value="yes")),
                (world["pi"], AnswerInput(value=["web"])),
            ],
        )
    with CaptureQueriesContext(connection) as again:
        answers_bulk_save(
            actor=officer,
            assessment=assessment,
            items=[
                (world["q"], AnswerInput(value="no")),
                (world["pi"], AnswerInput(value=["paper"])),
            ],
        )
    assert len(two) <= 12 and len(again) <= 12
    assert AuditEvent.objects.filter(event_type=AuditEventType.ANSWER_SAVED).count() == 4


def test_whole_assessment_reads_in_a_constant_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("auditor")
    with CaptureQueriesContext(connection) as queries:
        data = client.get(f"/api/v1/assessments/{world['a']}/questionnaire/").json()
    assert data["progress"]["applicable"] == 2
    question = data["frameworks"][0]["sections"][0]["provisions"][0]["questions"][0]
    assert question["answer"] is None and question["visible"] is True
    assert len(queries) <= 12


def test_content_security_policy_allows_only_our_scripts(client, officer):
    client.force_login(officer)
    policy = client.get("/assessments/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    docs = client.get("/api/docs/")["Content-Security-Policy"]
    assert (
        "script-src 'self'" in docs and "style-src 'self' 'unsafe-inline'" in docs
    )  # Swagger UI's inline styles only


def test_evidence_downloads_through_the_api_are_never_rendered_by_the_browser(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.models import Assessment
    from assessments.services import evidence_upload

    evidence = evidence_upload(
        actor=User.objects.get(username="officer"),
        assessment=Assessment.objects.get(pk=world["a"]),
        question_id=world["q"],
        upload=SimpleUploadedFile("a.txt", b"hello"),
    )
    response = client_for("auditor").get(
        f"/api/v1/assessments/{world['a']}/evidence/{evidence.pk}/download/"
    )
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"hello"
    assert response["Content-Disposition"].startswith("attachment")
    assert (
        response["X-Content-Type-Options"] == "nosniff"
        and "sandbox" in response["Content-Security-Policy"]
    )


# --- Framework authoring: text normal form, publish fields -----------------------------------


def test_api_patch_stores_question_text_in_normal_form(world, staff):
    from frameworks.models import FrameworkVersion, Question
    from frameworks.services import framework_version_clone

    version = FrameworkVersion.objects.get(pk=world["version"])
    draft = framework_version_clone(actor=staff, version=version, label="2025.8")
    question = Question.objects.filter(version=draft).first()
    client = client_for("admin")
    response = client.patch(
        f"/api/v1/questions/{question.pk}/",
        {"help_en": "Line one \r\nLine two", "prompt_ja": "か\u3099ありますか。"},
        format="json",
    )
    assert response.status_code == 200
    question.refresh_from_db()
    assert question.help_en == "Line one\nLine two"
    assert question.prompt_ja == "がありますか。"
    assert response["Cache-Control"] == "private, no-store"
