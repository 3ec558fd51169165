"""Bad input never answers 500: each probe below gets a 4xx that names the problem, and conflicts
with the current state are 409, in the one error shape with one field-path syntax."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.models import Answer, Assessment
from portal.api.parsers import MAX_DEPTH
from portal.models import ApiToken, User
from portal.services import api_token_create
from tests.conftest import question_of

pytestmark = pytest.mark.django_db

HUGE_ID = 10**30


def client_for(username: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    _token, key = api_token_create(user=User.objects.get(username=username), name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def world(assessment, officer, auditor):
    version = assessment.pins.get().version
    return {
        "a": assessment.pk,
        "q": question_of(version, "q:art-7-contact").pk,
        "who": question_of(version, "q:art-7-contact-who").pk,
        "pi": question_of(version, "q:pi-channels").pk,
    }


def fields(response) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


# --- Conflicts are 409 -------------------------------------------------------------------------


def test_a_revision_for_a_question_nobody_answered_is_a_conflict_not_a_500(world):
    response = client_for("officer").post(
        f"/api/v1/assessments/{world['a']}/answers/",
        {"items": [{"question": world["q"], "value": "yes", "revision": 3}]},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["errors"] == [
        {
            "field": "items[0].revision",
            "message": "This answer changed meanwhile (now at revision 0).",
            "code": "conflict",
        }
    ]
    assert not Answer.objects.exists()


def test_a_bulk_save_with_invalid_and_stale_items_is_a_400_listing_both(world):
    response = client_for("officer").post(
        f"/api/v1/assessments/{world['a']}/answers/",
        {
            "items": [
                {"question": world["q"], "value": "yes", "revision": 2},
                {"question": world["pi"], "value": ["fax"]},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert fields(response) == [("items[0].revision", "conflict"), ("items[1].value", "invalid")]


def test_a_stale_assessment_revision_is_409_naming_the_revision(world):
    client = client_for("officer")
    response = client.put(
        f"/api/v1/assessments/{world['a']}/scoping/",
        {"scoping": {"roles": ["ai_provider"]}, "revision": 99},
        format="json",
    )
    assert response.status_code == 409 and fields(response) == [("revision", "conflict")]


def test_a_locked_assessment_refuses_changes_with_409(world):
    Assessment.objects.filter(pk=world["a"]).update(status="submitted")
    client = client_for("officer")
    answers = client.post(
        f"/api/v1/assessments/{world['a']}/answers/",
        {"items": [{"question": world["q"], "value": "yes"}]},
        format="json",
    )
    scoping = client.put(
        f"/api/v1/assessments/{world['a']}/scoping/",
        {"scoping": {"roles": ["ai_provider"]}},
        format="json",
    )
    assert answers.status_code == 409 and scoping.status_code == 409
    assert answers.json()["errors"][0]["code"] == "conflict"


def test_reopening_what_is_not_submitted_is_409(world):
    response = client_for("officer").post(
        f"/api/v1/assessments/{world['a']}/reopen/", {}, format="json"
    )
    assert response.status_code == 409 and fields(response) == [("status", "conflict")]


# --- One field-path syntax -----------------------------------------------------------------------


def test_list_positions_are_bracketed_everywhere(world, organisation):
    client = client_for("officer")
    created = client.post(
        "/api/v1/assessments/",
        {
            "organisation": organisation.pk,
            "name": "x",
            "frameworks": ["urn:tekigo:fw:example-act", "urn:nowhere"],
            "scoping": {"roles": ["ai_provider", "pirate"]},
        },
        format="json",
    )
    assert created.status_code == 400
    assert fields(created) == [("scoping.roles[1]", "invalid")]
    unknown = client.post(
        "/api/v1/assessments/",
        {
            "organisation": organisation.pk,
            "name": "x",
            "frameworks": ["urn:tekigo:fw:example-act", "urn:nowhere"],
            "scoping": {"roles": ["ai_provider"]},
        },
        format="json",
    )
    assert unknown.status_code == 400 and fields(unknown) == [("frameworks[1]", "invalid")]
    too_long = client.post(
        f"/api/v1/assessments/{world['a']}/answers/",
        {"items": [{"question": world["q"], "comment": "x" * 10_001}]},
        format="json",
    )
    assert fields(too_long) == [("items[0].comment", "max_length")]


def test_a_scoping_with_no_roles_is_refused_as_the_form_refuses_it(world, organisation):
    client = client_for("officer")
    scoping = client.put(
        f"/api/v1/assessments/{world['a']}/scoping/", {"scoping": {"roles": []}}, format="json"
    )
    create = client.post(
        "/api/v1/assessments/",
        {
            "organisation": organisation.pk,
            "name": "x",
            "frameworks": ["urn:tekigo:fw:example-act"],
            "scoping": {},
        },
        format="json",
    )
    assert scoping.status_code == 400 and fields(scoping) == [("scoping.roles", "invalid")]
    assert create.status_code == 400 and fields(create) == [("scoping.roles", "invalid")]
    assert Assessment.objects.count() == 1


# --- Sizes, depths and numbers -------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_413_with_a_reason(world):
    body = json.dumps({"scoping": {"roles": ["ai_provider"]}, "pad": "x" * 3_000_000})
    response = client_for("officer").put(
        f"/api/v1/assessments/{world['a']}/scoping/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"
    assert "larger than" in response.json()["errors"][0]["message"]


def test_the_bulk_save_alone_accepts_bodies_over_the_usual_limit(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000  # every other endpoint: 20 kB
    comment = "評価" * 4_000  # 8,000 characters; over 40 kB as escaped JSON
    items = [
        {"question": world["q"], "value": "yes", "comment": comment},
        {"question": world["who"], "value": "総務部", "comment": comment},
        {"question": world["pi"], "value": ["web"], "comment": comment},
    ]
    body = json.dumps({"items": items})  # ensure_ascii: \\uXXXX, as many clients send
    assert len(body) > 3 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    client = client_for("officer")
    saved = client.post(
        f"/api/v1/assessments/{world['a']}/answers/", body, content_type="application/json"
    )
    assert saved.status_code == 200, saved.json()
    assert len(saved.json()) == 3
    scoping = client.put(
        f"/api/v1/assessments/{world['a']}/scoping/",
        json.dumps({"scoping": {"roles": ["ai_provider"]}, "note": comment}),
        content_type="application/json",
    )
    assert scoping.status_code == 413


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_a_400(world, depth):
    body = "[" * depth + "]" * depth
    response = client_for("officer").post(
        f"/api/v1/assessments/{world['a']}/answers/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_huge_ids_in_urls_are_404(world):
    client = client_for("officer")
    for url in [
        f"/api/v1/assessments/{HUGE_ID}/",
        f"/api/v1/assessments/{world['a']}/questions/{HUGE_ID}/evidence/",
        f"/api/v1/assessments/{world['a']}/evidence/{HUGE_ID}/download/",
        f"/api/v1/reports/{HUGE_ID}/",
        f"/api/v1/versions/{HUGE_ID}/",
        f"/api/v1/questions/{HUGE_ID}/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["errors"][0]["code"] == "not_found"
    assert client.get(f"/api/v1/versions/1/diff/?against={HUGE_ID}").status_code == 400


def test_huge_ids_in_bodies_and_filters_are_400(world, organisation):
    client = client_for("officer")
    answers = client.post(
        f"/api/v1/assessments/{world['a']}/answers/",
        {"items": [{"question": HUGE_ID, "value": "yes"}]},
        format="json",
    )
    create = client.post(
        "/api/v1/assessments/",
        {
            "organisation": HUGE_ID,
            "name": "x",
            "frameworks": ["urn:tekigo:fw:example-act"],
            "scoping": {"roles": ["ai_provider"]},
        },
        format="json",
    )
    assert answers.status_code == 400 and fields(answers) == [("items[0].question", "max_value")]
    assert create.status_code == 400 and fields(create) == [("organisation", "max_value")]
    listing = client.get(f"/api/v1/assessments/?organisation={HUGE_ID}")
    assert listing.status_code == 400
    assert (
        client.get(f"/api/v1/assessments/{world['a']}/answers/?question={HUGE_ID}").status_code
        == 400
    )


@pytest.mark.parametrize("revoke", ["abc", "1e3", "", str(HUGE_ID), "-1"])
def test_revoking_a_token_by_a_malformed_id_is_404(client, officer, revoke):
    token, _key = api_token_create(user=officer, name="keep")
    client.force_login(officer)
    response = client.post(reverse("api_tokens"), {"revoke": revoke})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and ApiToken.objects.count() == 1


# --- Rate limits ---------------------------------------------------------------------------------


def test_requests_beyond_the_user_rate_get_429_with_retry_after(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": "3/minute",
        },
    }
    client = client_for("officer")
    codes = [client.get(f"/api/v1/assessments/{world['a']}/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get(f"/api/v1/assessments/{world['a']}/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()["errors"][0]["code"] == "throttled"


def test_anonymous_requests_have_their_own_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "2/minute",
        },
    }
    client = APIClient()
    codes = [client.get("/api/v1/assessments/").status_code for _ in range(3)]
    assert codes == [401, 401, 429]


def test_report_requests_are_limited_per_organisation(world, settings, other_officer):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "reports": "2/hour",
        },
    }
    officer, auditor = client_for("officer"), client_for("auditor")
    url = f"/api/v1/assessments/{world['a']}/reports/"
    assert officer.post(url, {"language": "en"}, format="json").status_code == 202
    assert auditor.post(url, {"language": "ja"}, format="json").status_code == 202
    refused = officer.post(url, {"language": "en"}, format="json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert officer.get(url).status_code == 200  # reading is not limited
    # Another organisation's counter is its own.
    from assessments.services import assessment_create
    from tests.conftest import PROVIDER_WITH_PI

    rival = assessment_create(
        actor=other_officer,
        organisation=other_officer.memberships.get().organisation,
        name="Rival",
        versions=[Assessment.objects.get(pk=world["a"]).pins.get().version],
        scoping=PROVIDER_WITH_PI,
    )
    rival_url = f"/api/v1/assessments/{rival.pk}/reports/"
    assert (
        client_for("intruder").post(rival_url, {"language": "en"}, format="json").status_code == 202
    )


def test_the_schema_documents_429_with_retry_after(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/assessments/{id}/reports/"]["post"]
    assert "Retry-After" in operation["responses"]["429"]["headers"]


def test_lifecycle_actions_on_the_wrong_state_are_409(published_version, staff):
    client = client_for("admin")
    url = f"/api/v1/versions/{published_version.pk}"
    notes = {"effective_date": "2026-01-01", "release_note_ja": "注記", "release_note_en": "Note"}
    publish = client.post(f"{url}/publish/", notes, format="json")
    assert publish.status_code == 409 and fields(publish) == [("status", "conflict")]
    assert client.post(f"{url}/retire/").status_code == 200
    retire = client.post(f"{url}/retire/")
    assert retire.status_code == 409 and fields(retire) == [("status", "conflict")]


def test_switching_to_a_huge_organisation_id_is_404(client, officer):
    client.force_login(officer)
    response = client.post(reverse("organisation_switch"), {"organisation": str(HUGE_ID)})
    assert response.status_code == 404
