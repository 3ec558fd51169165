"""Who may do what: each rule's one home (AssessmentAccess, the access_* selectors), used by the
pages and the API alike."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from assessments import selectors
from assessments.models import Assessment
from frameworks.selectors import access_framework_version
from portal.context_processors import tenancy
from portal.models import Membership
from tests.conftest import question_of
from tests.factories import DraftVersionFactory, QuestionFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_officers_write_and_edit_until_the_assessment_is_locked(assessment, officer, auditor):
    officer_access = selectors.access_assessment(user=officer, pk=assessment.pk)
    auditor_access = selectors.access_assessment(user=auditor, pk=assessment.pk)
    assert officer_access.can_write and officer_access.can_edit and not officer_access.can_reopen
    assert not auditor_access.can_write and not auditor_access.can_edit
    assert officer_access.can_request_report and auditor_access.can_request_report
    Assessment.objects.filter(pk=assessment.pk).update(status="submitted")
    locked = selectors.access_assessment(user=officer, pk=assessment.pk)
    assert locked.can_write and not locked.can_edit and locked.can_reopen
    with pytest.raises(PermissionDenied):
        selectors.access_assessment(user=auditor, pk=assessment.pk, write=True)


def test_only_officers_may_create_assessments_and_outsiders_get_the_same_404(
    officer, auditor, other_officer, organisation
):
    assert selectors.membership_can_create_assessment(officer.memberships.get())
    assert not selectors.membership_can_create_assessment(auditor.memberships.get())
    assert not selectors.membership_can_create_assessment(None)
    membership = selectors.access_organisation_for_create(
        user=officer, organisation_id=organisation.pk
    )
    assert membership.organisation == organisation
    with pytest.raises(PermissionDenied):
        selectors.access_organisation_for_create(user=auditor, organisation_id=organisation.pk)
    for organisation_id in (organisation.pk, 987654):
        with pytest.raises(Http404):
            selectors.access_organisation_for_create(
                user=other_officer, organisation_id=organisation_id
            )


def test_the_dashboard_offers_creation_to_officers_only(client, officer, auditor):
    create = reverse("assessments:create")
    client.force_login(officer)
    assert create in client.get(reverse("assessments:dashboard")).content.decode()
    client.force_login(auditor)
    assert create not in client.get(reverse("assessments:dashboard")).content.decode()
    assert client.get(create).status_code == 403


def test_access_question_gives_the_same_404_for_foreign_and_missing_questions(assessment):
    version = assessment.pins.get().version
    question = question_of(version, "q:art-7-contact")
    assert selectors.access_question(assessment=assessment, pk=question.pk) == question
    foreign = QuestionFactory()
    for pk in (foreign.pk, 987654):
        with pytest.raises(Http404):
            selectors.access_question(assessment=assessment, pk=pk)


def test_a_foreign_question_is_404_on_the_page_and_in_the_api(client, assessment, officer):
    foreign = QuestionFactory()
    client.force_login(officer)
    page = client.post(
        reverse("assessments:answer", args=[assessment.pk, foreign.pk]), {"value": "yes"}
    )
    api = client.get(f"/api/v1/assessments/{assessment.pk}/questions/{foreign.pk}/evidence/")
    assert page.status_code == 404 and api.status_code == 404


def test_drafts_are_seen_by_staff_only_with_the_same_404_for_others(published_version, user):
    draft = DraftVersionFactory()
    staff = StaffFactory(username="editor")
    assert access_framework_version(user=staff, pk=draft.pk) == draft
    assert access_framework_version(user=user, pk=published_version.pk) == published_version
    for pk in (draft.pk, 987654):
        with pytest.raises(Http404):
            access_framework_version(user=user, pk=pk)


def test_drafts_are_hidden_alike_on_pages_and_in_the_api(client, user):
    draft = DraftVersionFactory()
    client.force_login(user)
    assert client.get(reverse("frameworks:version", args=[draft.pk])).status_code == 404
    assert client.get(f"/api/v1/versions/{draft.pk}/").status_code == 404


def test_the_header_loads_memberships_once_per_request_and_never_for_fragments(
    officer, django_assert_num_queries
):
    request = RequestFactory().get("/")
    request.user = officer
    request.session = {}
    with django_assert_num_queries(1):
        first = tenancy(request)
        again = tenancy(request)
    assert first is again
    assert first["active_membership"] == Membership.objects.get(user=officer)
    fragment = RequestFactory().get("/", HTTP_HX_REQUEST="true")
    fragment.user, fragment.session = officer, {}
    with django_assert_num_queries(0):
        assert tenancy(fragment) == {}
