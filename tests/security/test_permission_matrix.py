"""Every URL of the UI and the API, for every kind of visitor.

Roles: anonymous, the officer and the auditor of the organisation, the officer of another
organisation ("intruder"), and a staff admin who belongs to no organisation. Outsiders get the
same 404 as for a missing object; auditors never change anything; anonymous visitors are sent to
sign in (UI) or get 401 (API).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from assessments.services import AnswerInput, answer_save, evidence_upload
from portal.models import User
from portal.storage import stored_file_save
from reports.models import Report, ReportStatus
from reports.services import REPORTS_FOLDER, report_request
from tests.conftest import question_of
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "officer", "auditor", "intruder", "staff"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"

OK, LOGIN, FORBIDDEN, MISSING, ADMIN_LOGIN = "ok", "login", "403", "404", "admin-login"
MEMBERS_READ = {
    "anonymous": LOGIN,
    "officer": OK,
    "auditor": OK,
    "intruder": MISSING,
    "staff": MISSING,
}
MEMBERS_WRITE = {
    "anonymous": LOGIN,
    "officer": OK,
    "auditor": FORBIDDEN,
    "intruder": MISSING,
    "staff": MISSING,
}
SIGNED_IN = {"anonymous": LOGIN, "officer": OK, "auditor": OK, "intruder": OK, "staff": OK}
STAFF_ONLY_UI = {
    "anonymous": ADMIN_LOGIN,
    "officer": ADMIN_LOGIN,
    "auditor": ADMIN_LOGIN,
    "intruder": ADMIN_LOGIN,
    "staff": OK,
}
STAFF_ONLY_API = {
    "anonymous": LOGIN,
    "officer": FORBIDDEN,
    "auditor": FORBIDDEN,
    "intruder": FORBIDDEN,
    "staff": OK,
}


@pytest.fixture
def world(assessment, officer, auditor, other_officer):
    StaffFactory(username="staff")
    version = assessment.pins.get().version
    question = question_of(version, "q:art-7-contact")
    answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(value="yes")
    )
    evidence = evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=question.pk,
        upload=SimpleUploadedFile("a.pdf", PDF),
    )
    # A ready report without rendering one: these tests are about access, and rendering is slow.
    report = report_request(actor=officer, assessment=assessment, language="en")
    pdf_name, *_ = stored_file_save(folder=REPORTS_FOLDER, name="matrix.pdf", content=PDF)
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.READY, pdf_name=pdf_name, pdf_sha256="0" * 64
    )
    from assessments.selectors import questionnaire_build

    section = questionnaire_build(assessment=assessment).frameworks[0].sections[0].section
    return {
        "a": assessment.pk,
        "q": question.pk,
        "e": evidence.pk,
        "r": report.pk,
        "v": version.pk,
        "f": version.framework_id,
        "p": question.provision_id,
        "s": section.pk,
        "pin": assessment.pins.get().pk,
        "org": assessment.organisation_id,
    }


UI = [
    ("GET", "/frameworks/", None, SIGNED_IN),
    ("GET", "/frameworks/versions/{v}/", None, SIGNED_IN),
    ("GET", "/frameworks/versions/{v}/provisions/{p}/", None, SIGNED_IN),
    ("GET", "/frameworks/{f}/diff/", None, SIGNED_IN),
    ("POST", "/frameworks/versions/{v}/clone/", {"version": "9.9"}, STAFF_ONLY_UI),
    ("POST", "/frameworks/versions/{v}/retire/", {}, STAFF_ONLY_UI),
    ("GET", "/assessments/", None, SIGNED_IN),
    ("GET", "/assessments/new/", None, {**SIGNED_IN, "auditor": FORBIDDEN, "staff": MISSING}),
    ("GET", "/assessments/{a}/", None, MEMBERS_READ),
    ("GET", "/assessments/{a}/scoping/", None, MEMBERS_READ),
    ("GET", "/assessments/{a}/sections/{s}/", None, MEMBERS_READ),
    ("GET", "/assessments/{a}/history/", None, MEMBERS_READ),
    ("GET", "/assessments/{a}/evidence/{e}/", None, MEMBERS_READ),
    ("GET", "/assessments/{a}/upgrade/{pin}/", None, MEMBERS_READ),
    (
        "POST",
        "/assessments/{a}/questions/{q}/answer/",
        {"type": "yes_no_partial", "value": "no", "revision": "1"},
        MEMBERS_WRITE,
    ),
    ("POST", "/assessments/{a}/questions/{q}/evidence/", "file", MEMBERS_WRITE),
    ("POST", "/assessments/{a}/evidence/{e}/delete/", {}, MEMBERS_WRITE),
    (
        "POST",
        "/assessments/{a}/scoping/",
        {"roles": ["ai_provider"], "handles_personal_info": "on"},
        MEMBERS_WRITE,
    ),
    ("POST", "/assessments/{a}/submit/", {}, MEMBERS_WRITE),
    ("POST", "/assessments/{a}/reopen/", {}, MEMBERS_WRITE),
    ("POST", "/assessments/{a}/upgrade/{pin}/", {"target": "0"}, MEMBERS_WRITE),
    ("POST", "/assessments/{a}/reports/", {"language": "ja"}, MEMBERS_READ),
    ("GET", "/assessments/{a}/reports/panel/", None, MEMBERS_READ),
    ("GET", "/reports/{r}/", None, MEMBERS_READ),
    ("GET", "/reports/{r}/download/", None, MEMBERS_READ),
    ("GET", "/reports/verify/", None, SIGNED_IN),
    ("GET", "/accounts/tokens/", None, SIGNED_IN),
    ("GET", "/admin/", None, STAFF_ONLY_UI),
    ("GET", "/admin/frameworks/question/", None, STAFF_ONLY_UI),
]

API = [
    ("GET", "/api/v1/frameworks/", None, SIGNED_IN),
    ("GET", "/api/v1/versions/{v}/", None, SIGNED_IN),
    ("GET", "/api/v1/versions/{v}/questions/", None, SIGNED_IN),
    ("GET", "/api/v1/provisions/{p}/", None, SIGNED_IN),
    ("PATCH", "/api/v1/questions/{q}/", {"prompt_en": "x"}, {**STAFF_ONLY_API, "staff": "409"}),
    ("POST", "/api/v1/versions/{v}/clone/", {"version": "9.9"}, STAFF_ONLY_API),
    ("POST", "/api/v1/versions/{v}/retire/", {}, STAFF_ONLY_API),
    ("GET", "/api/v1/organisations/", None, SIGNED_IN),
    ("GET", "/api/v1/assessments/", None, SIGNED_IN),
    ("GET", "/api/v1/assessments/{a}/", None, MEMBERS_READ),
    ("GET", "/api/v1/assessments/{a}/answers/", None, MEMBERS_READ),
    ("GET", "/api/v1/assessments/{a}/comments/", None, MEMBERS_READ),
    ("GET", "/api/v1/assessments/{a}/history/", None, MEMBERS_READ),
    ("GET", "/api/v1/assessments/{a}/questions/{q}/evidence/", None, MEMBERS_READ),
    ("GET", "/api/v1/assessments/{a}/evidence/{e}/download/", None, MEMBERS_READ),
    (
        "POST",
        "/api/v1/assessments/{a}/answers/",
        {"items": [{"question": "{q}", "value": "no"}]},
        MEMBERS_WRITE,
    ),
    (
        "PUT",
        "/api/v1/assessments/{a}/scoping/",
        {"scoping": {"roles": ["ai_provider"]}},
        MEMBERS_WRITE,
    ),
    ("POST", "/api/v1/assessments/{a}/submit/", {}, {**MEMBERS_WRITE, "officer": "400"}),
    ("POST", "/api/v1/assessments/{a}/reopen/", {}, {**MEMBERS_WRITE, "officer": "400"}),
    (
        "POST",
        "/api/v1/assessments/{a}/upgrade/",
        {"framework": "urn:tekigo:fw:example-act"},
        {**MEMBERS_WRITE, "officer": "400"},
    ),
    ("POST", "/api/v1/assessments/{a}/questions/{q}/evidence/", "file", MEMBERS_WRITE),
    ("GET", "/api/v1/assessments/{a}/reports/", None, MEMBERS_READ),
    ("POST", "/api/v1/assessments/{a}/reports/", {"language": "en"}, MEMBERS_READ),
    ("GET", "/api/v1/reports/{r}/", None, MEMBERS_READ),
    ("GET", "/api/v1/reports/{r}/download/", None, MEMBERS_READ),
    ("GET", "/api/v1/reports/verify/?sha256=" + "0" * 64, None, SIGNED_IN),
]


def _fill(value, world):
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def classify(response, *, api: bool) -> str:
    code = response.status_code
    if api:
        return {401: LOGIN, 403: FORBIDDEN, 404: MISSING}.get(code, OK if code < 300 else str(code))
    if code in (301, 302):
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if location.startswith("/accounts/login/"):
            return LOGIN
        return OK
    return {403: FORBIDDEN, 404: MISSING}.get(code, OK if code < 300 else str(code))


def _request(client, method, url, data, world, api):
    from unittest import mock

    from reports.tasks import report_render_task

    if data == "file":
        data = {"file": SimpleUploadedFile("b.pdf", PDF)}
        kwargs = {"format": "multipart"} if api else {}
    else:
        data = _fill(data, world)
        if api and data and "items" in data:
            data["items"][0]["question"] = int(data["items"][0]["question"])
        kwargs = {"format": "json"} if api else {}
    with mock.patch.object(report_render_task, "apply_async"):  # the broker is an edge of the world
        return (
            getattr(client, method.lower())(url.format(**world), data, **kwargs)
            if data is not None
            else getattr(client, method.lower())(url.format(**world))
        )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "data", "expected"), UI, ids=[f"{m} {u}" for m, u, *_ in UI]
)
def test_ui_matrix(client, world, role, method, url, data, expected):
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    response = _request(client, method, url, data, world, api=False)
    assert classify(response, api=False) == expected[role], (
        role,
        method,
        url,
        response.status_code,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "data", "expected"), API, ids=[f"{m} {u}" for m, u, *_ in API]
)
def test_api_matrix(world, role, method, url, data, expected):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(User.objects.get(username=role))
    response = _request(client, method, url, data, world, api=True)
    assert classify(response, api=True) == expected[role], (
        role,
        method,
        url,
        response.status_code,
        getattr(response, "data", None),
    )
