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
ROLES = ["anonymous", "officer", "auditor", "intruder", "staff", "orgadmin", "contributor"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"

OK, LOGIN, FORBIDDEN, MISSING, ADMIN_LOGIN = "ok", "login", "403", "404", "admin-login"
# The organisation admin does all an officer does; the contributor, assigned the section holding
# question {q}, reaches only that section's questions and their files: the rest is 403.
MEMBERS_READ = {
    "anonymous": LOGIN,
    "officer": OK,
    "auditor": OK,
    "intruder": MISSING,
    "staff": MISSING,
    "orgadmin": OK,
    "contributor": FORBIDDEN,
}
MEMBERS_WRITE = {
    "anonymous": LOGIN,
    "officer": OK,
    "auditor": FORBIDDEN,
    "intruder": MISSING,
    "staff": MISSING,
    "orgadmin": OK,
    "contributor": FORBIDDEN,
}
SIGNED_IN = {
    "anonymous": LOGIN,
    "officer": OK,
    "auditor": OK,
    "intruder": OK,
    "staff": OK,
    "orgadmin": OK,
    "contributor": OK,
}
PUBLIC = {role: OK for role in ROLES}
STAFF_ONLY_UI = {
    "anonymous": ADMIN_LOGIN,
    "officer": ADMIN_LOGIN,
    "auditor": ADMIN_LOGIN,
    "intruder": ADMIN_LOGIN,
    "staff": OK,
    "orgadmin": ADMIN_LOGIN,
    "contributor": ADMIN_LOGIN,
}
STAFF_ONLY_API = {
    "anonymous": LOGIN,
    "officer": FORBIDDEN,
    "auditor": FORBIDDEN,
    "intruder": FORBIDDEN,
    "staff": OK,
    "orgadmin": FORBIDDEN,
    "contributor": FORBIDDEN,
}
#: The contributor's own questions (the section holding {q}): they read and answer them.
ASSIGNED_READ = {**MEMBERS_READ, "contributor": OK}
ASSIGNED_WRITE = {**MEMBERS_WRITE, "contributor": OK}
#: Action plans: read by every member but contributors (404: they do not see plans at all).
ACTIONS_READ = {**MEMBERS_READ, "contributor": MISSING}
ACTIONS_WRITE = {**MEMBERS_WRITE, "contributor": MISSING}
#: People management: organisation admins only.
ADMINS_ONLY = {
    "anonymous": LOGIN,
    "officer": FORBIDDEN,
    "auditor": FORBIDDEN,
    "intruder": MISSING,
    "staff": MISSING,
    "orgadmin": OK,
    "contributor": FORBIDDEN,
}
EVERYONE = {role: OK for role in ROLES}
#: Reports are found only by members who read the whole assessment: 404 for a contributor.
REPORTS_READ = {**MEMBERS_READ, "contributor": MISSING}

#: Auditors review, return and approve; officers may not (403).
REVIEWERS = {
    "anonymous": LOGIN,
    "officer": FORBIDDEN,
    "auditor": OK,
    "intruder": MISSING,
    "staff": MISSING,
    "orgadmin": FORBIDDEN,
    "contributor": FORBIDDEN,
}
REVIEWERS_409 = {**REVIEWERS, "auditor": "409"}


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
    # --- Programme roles: an organisation admin; a contributor assigned the section of {q}.
    from assessments.services import ActionInput, action_create, assignment_create
    from portal.models import Invitation, Membership
    from portal.services import invitation_create
    from tests.factories import MembershipFactory

    orgadmin = MembershipFactory(
        user__username="orgadmin", organisation=assessment.organisation, role="admin"
    ).user
    contributor = MembershipFactory(
        user__username="contributor", organisation=assessment.organisation, role="contributor"
    ).user
    assignment_create(
        actor=officer,
        assessment=assessment,
        assignee_id=contributor.pk,
        section_id=question.provision.section_id,
    )
    other_assignment = assignment_create(
        actor=officer, assessment=assessment, assignee_id=officer.pk, question_id=question.pk
    )
    action = action_create(
        actor=officer,
        organisation=assessment.organisation,
        assessment=assessment,
        data=ActionInput(title="Write the contact policy", question_ids=[question.pk]),
    )
    from assessments.services import action_evidence_upload

    action_evidence = action_evidence_upload(
        actor=officer, action=action, upload=SimpleUploadedFile("done.pdf", PDF)
    )
    invitation, token = invitation_create(
        actor=orgadmin,
        organisation=assessment.organisation,
        email="new@acme.example",
        role="officer",
        link_base="/",
    )
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    return {
        "asg": other_assignment.pk,
        "act": action.pk,
        "ae": action_evidence.pk,
        "m": Membership.objects.get(user=auditor).pk,
        "inv": invitation.pk,
        "token": token,
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
        "code": Report.objects.get(pk=report.pk).verification_code,
        "officer": officer.pk,
    }


UI = [
    ("GET", "/frameworks/", None, SIGNED_IN),
    ("GET", "/frameworks/versions/{v}/", None, SIGNED_IN),
    ("GET", "/frameworks/versions/{v}/provisions/{p}/", None, SIGNED_IN),
    ("GET", "/frameworks/{f}/diff/", None, SIGNED_IN),
    ("POST", "/frameworks/versions/{v}/clone/", {"version": "9.9"}, STAFF_ONLY_UI),
    ("POST", "/frameworks/versions/{v}/retire/", {}, STAFF_ONLY_UI),
    ("GET", "/assessments/", None, SIGNED_IN),
    (
        "GET",
        "/assessments/new/",
        None,
        {**SIGNED_IN, "auditor": FORBIDDEN, "staff": MISSING, "contributor": FORBIDDEN},
    ),
    ("GET", "/assessments/{a}/", None, MEMBERS_READ),
    ("GET", "/assessments/{a}/scoping/", None, MEMBERS_READ),
    ("GET", "/assessments/{a}/sections/{s}/", None, MEMBERS_READ),
    ("GET", "/assessments/{a}/history/", None, MEMBERS_READ),
    ("GET", "/assessments/{a}/evidence/{e}/", None, ASSIGNED_READ),
    ("GET", "/assessments/{a}/upgrade/{pin}/", None, MEMBERS_READ),
    (
        "POST",
        "/assessments/{a}/questions/{q}/answer/",
        {"type": "yes_no_partial", "value": "no", "revision": "1"},
        ASSIGNED_WRITE,
    ),
    ("POST", "/assessments/{a}/questions/{q}/evidence/", "file", ASSIGNED_WRITE),
    ("POST", "/assessments/{a}/evidence/{e}/delete/", {}, ASSIGNED_WRITE),
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
    ("GET", "/reports/{r}/", None, REPORTS_READ),
    ("GET", "/reports/{r}/download/", None, REPORTS_READ),
    ("GET", "/reports/verify/", None, SIGNED_IN),
    ("GET", "/accounts/tokens/", None, SIGNED_IN),
    ("GET", "/admin/", None, STAFF_ONLY_UI),
    ("GET", "/admin/frameworks/question/", None, STAFF_ONLY_UI),
    # --- Public verification: anyone, signed in or not, gets the same page ---
    ("GET", "/verify/", None, PUBLIC),
    ("GET", "/verify/{code}/", None, PUBLIC),
    ("POST", "/verify/", {"code": "{code}"}, PUBLIC),
    # --- Reviews --- (a draft: the auditor's steps are refused with a message, hence "ok")
    ("GET", "/assessments/{a}/submit/", None, MEMBERS_WRITE),
    ("GET", "/assessments/{a}/reopen/", None, MEMBERS_WRITE),
    ("GET", "/assessments/{a}/return/", None, REVIEWERS),
    ("POST", "/assessments/{a}/return/", {"reason": "Queries"}, REVIEWERS),
    ("GET", "/assessments/{a}/reviews/", None, MEMBERS_READ),
    (
        "POST",
        "/assessments/{a}/questions/{q}/review/",
        {"status": "query", "comment": "?"},
        REVIEWERS,
    ),
    ("POST", "/assessments/{a}/questions/{q}/resolve/", {}, REVIEWERS),
    ("POST", "/assessments/{a}/questions/{q}/comments/", {"text": "Reply"}, MEMBERS_READ),
    ("GET", "/assessments/{a}/approve/", None, REVIEWERS),
    ("POST", "/assessments/{a}/approve/", {"statement": "OK", "language": "en"}, REVIEWERS),
    ("POST", "/assessments/{a}/approval/reopen/", {"reason": "Fix"}, MEMBERS_WRITE),
    # --- Programme: people, assignments, actions, notifications ---
    ("GET", "/organisations/{org}/members/", None, ADMINS_ONLY),
    (
        "POST",
        "/organisations/{org}/members/",
        {"email": "z@acme.example", "role": "officer"},
        ADMINS_ONLY,
    ),
    ("POST", "/organisations/{org}/members/{m}/role/", {"role": "officer"}, ADMINS_ONLY),
    ("POST", "/organisations/{org}/members/{m}/remove/", {}, ADMINS_ONLY),
    ("POST", "/organisations/{org}/invitations/{inv}/revoke/", {}, ADMINS_ONLY),
    ("GET", "/accounts/invitations/{token}/", None, EVERYONE),
    ("GET", "/accounts/password/reset/", None, EVERYONE),
    ("GET", "/accounts/notifications/", None, SIGNED_IN),
    ("GET", "/assessments/my-work/", None, SIGNED_IN),
    ("GET", "/assessments/{a}/mine/", None, ASSIGNED_READ),
    ("GET", "/assessments/{a}/assignments/", None, MEMBERS_READ),
    (
        "POST",
        "/assessments/{a}/assignments/",
        {"assignee": "{officer}", "target": "q:{q}"},
        MEMBERS_WRITE,
    ),
    ("POST", "/assessments/{a}/assignments/{asg}/delete/", {}, MEMBERS_WRITE),
    ("POST", "/assessments/{a}/plan/", {"due_date": "2026-12-01"}, MEMBERS_WRITE),
    ("GET", "/assessments/actions/", None, {**ACTIONS_READ, "intruder": OK}),
    ("GET", "/assessments/{a}/actions/", None, MEMBERS_READ),
    ("POST", "/assessments/{a}/actions/", {"title": "Fix it"}, MEMBERS_WRITE),
    ("GET", "/assessments/actions/{act}/", None, ACTIONS_READ),
    ("POST", "/assessments/actions/{act}/", {"status": "in_progress"}, ACTIONS_WRITE),
    ("POST", "/assessments/actions/{act}/evidence/", "file", ACTIONS_WRITE),
    ("GET", "/assessments/actions/{act}/evidence/{ae}/", None, ACTIONS_READ),
    ("GET", "/portfolio/", None, {**ACTIONS_READ, "intruder": OK}),
    ("GET", "/assessments/{a}/questions/?unanswered=on&text=contact", None, MEMBERS_READ),
    (
        "POST",
        "/assessments/{a}/sections/{s}/not-applicable/",
        {"justification": "Out of scope"},
        MEMBERS_WRITE,
    ),
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
    ("GET", "/api/v1/assessments/{a}/answers/", None, ASSIGNED_READ),
    ("GET", "/api/v1/assessments/{a}/comments/", None, MEMBERS_READ),
    ("GET", "/api/v1/assessments/{a}/history/", None, MEMBERS_READ),
    ("GET", "/api/v1/assessments/{a}/questions/{q}/evidence/", None, ASSIGNED_READ),
    ("GET", "/api/v1/assessments/{a}/evidence/{e}/download/", None, ASSIGNED_READ),
    (
        "POST",
        "/api/v1/assessments/{a}/answers/",
        {"items": [{"question": "{q}", "value": "no"}]},
        ASSIGNED_WRITE,
    ),
    (
        "PUT",
        "/api/v1/assessments/{a}/scoping/",
        {"scoping": {"roles": ["ai_provider"]}},
        MEMBERS_WRITE,
    ),
    (
        "POST",
        "/api/v1/assessments/{a}/submit/",
        {},
        {**MEMBERS_WRITE, "officer": "400", "orgadmin": "400"},
    ),
    (
        "POST",
        "/api/v1/assessments/{a}/reopen/",
        {},
        {**MEMBERS_WRITE, "officer": "409", "orgadmin": "409"},
    ),
    (
        "POST",
        "/api/v1/assessments/{a}/upgrade/",
        {"framework": "urn:tekigo:fw:example-act"},
        {**MEMBERS_WRITE, "officer": "409", "orgadmin": "409"},
    ),
    ("POST", "/api/v1/assessments/{a}/questions/{q}/evidence/", "file", ASSIGNED_WRITE),
    ("GET", "/api/v1/assessments/{a}/reports/", None, MEMBERS_READ),
    ("POST", "/api/v1/assessments/{a}/reports/", {"language": "en"}, MEMBERS_READ),
    ("GET", "/api/v1/reports/{r}/", None, REPORTS_READ),
    ("GET", "/api/v1/reports/{r}/download/", None, REPORTS_READ),
    ("GET", "/api/v1/reports/verify/?sha256=" + "0" * 64, None, SIGNED_IN),
    # --- Reviews --- (a draft: what the roles may do reaches the state check, 409)
    ("POST", "/api/v1/assessments/{a}/return/", {"reason": "Queries"}, REVIEWERS_409),
    ("GET", "/api/v1/assessments/{a}/reviews/", None, MEMBERS_READ),
    (
        "POST",
        "/api/v1/assessments/{a}/reviews/",
        {"question": "{q}", "status": "query", "comment": "?"},
        REVIEWERS_409,
    ),
    ("GET", "/api/v1/assessments/{a}/questions/{q}/comments/", None, MEMBERS_READ),
    (
        "POST",
        "/api/v1/assessments/{a}/questions/{q}/comments/",
        {"text": "Reply"},
        {**MEMBERS_READ, "officer": "409", "auditor": "409", "orgadmin": "409"},
    ),
    ("POST", "/api/v1/assessments/{a}/questions/{q}/resolve/", {}, REVIEWERS_409),
    (
        "POST",
        "/api/v1/assessments/{a}/approve/",
        {"statement": "OK", "language": "en"},
        REVIEWERS_409,
    ),
    (
        "POST",
        "/api/v1/assessments/{a}/approval/reopen/",
        {"reason": "Fix"},
        {**MEMBERS_WRITE, "officer": "409", "orgadmin": "409"},
    ),
    # --- Programme: remediation actions ---
    ("GET", "/api/v1/actions/", None, SIGNED_IN),
    ("POST", "/api/v1/actions/", {"assessment": "{a}", "title": "Fix it"}, MEMBERS_WRITE),
    ("GET", "/api/v1/actions/{act}/", None, ACTIONS_READ),
    ("PATCH", "/api/v1/actions/{act}/", {"status": "in_progress"}, ACTIONS_WRITE),
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
        if api and data and "assessment" in data:
            data["assessment"] = int(data["assessment"])
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


# --- Reviews ---------------------------------------------------------------------------------


@pytest.fixture
def submitted(world, assessment, officer):
    """The world's assessment with every required question answered, submitted by ``officer``."""
    from assessments.services import assessment_submit

    version = assessment.pins.get().version
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=question_of(version, "q:pi-channels").pk,
        data=AnswerInput(value=["web"]),
    )
    assessment_submit(actor=officer, assessment=assessment)
    return world


#: On a submitted assessment: who may review, return, approve, and answer.
IN_REVIEW_API = [
    (
        "POST",
        "/api/v1/assessments/{a}/reviews/",
        {"question": "{q}", "status": "accepted"},
        REVIEWERS,
    ),
    (
        "POST",
        "/api/v1/assessments/{a}/answers/",
        {"items": [{"question": "{q}", "value": "no"}]},
        # The contributor is assigned {q}: like the writers, they meet the lock (409).
        {**MEMBERS_WRITE, "officer": "409", "orgadmin": "409", "contributor": "409"},
    ),
    ("POST", "/api/v1/assessments/{a}/approve/", {"statement": "OK", "language": "en"}, REVIEWERS),
    ("POST", "/api/v1/assessments/{a}/return/", {"reason": "Queries"}, REVIEWERS),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    IN_REVIEW_API,
    ids=[f"{m} {u}" for m, u, *_ in IN_REVIEW_API],
)
def test_in_review_api_matrix(submitted, role, method, url, data, expected):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(User.objects.get(username=role))
    response = _request(client, method, url, data, submitted, api=True)
    assert classify(response, api=True) == expected[role], (role, url, response.status_code)


def test_the_submitter_cannot_approve_even_as_an_auditor(client, submitted, officer):
    """One role per organisation today; the four-eyes rule still names the submitter."""
    from portal.models import Membership

    Membership.objects.filter(user=officer).update(role="auditor")
    api = APIClient()
    api.force_authenticate(officer)
    url = "/api/v1/assessments/{a}/approve/".format(**submitted)
    response = _request(api, "POST", url, {"statement": "OK", "language": "en"}, submitted, True)
    assert response.status_code == 403
    client.force_login(officer)
    page = _request(
        client,
        "POST",
        url.removeprefix("/api/v1"),
        {"statement": "OK", "language": "en"},
        submitted,
        False,
    )
    assert page.status_code == 403
    from assessments.models import Assessment

    assert Assessment.objects.get(pk=submitted["a"]).status == "submitted"
