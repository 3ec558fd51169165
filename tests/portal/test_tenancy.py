import pytest
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_member_of_two_organisations_switches_between_them(client, officer, assessment):
    other = MembershipFactory(user=officer, organisation__name="Second Co", role="auditor")
    client.force_login(officer)
    assert "FY2026 review" in client.get(reverse("assessments:dashboard")).content.decode()
    client.post(
        reverse("organisation_switch"),
        {"organisation": other.organisation_id, "next": "/assessments/"},
    )
    page = client.get(reverse("assessments:dashboard")).content.decode()
    assert "Second Co" in page and "FY2026 review" not in page


def test_switching_to_a_foreign_organisation_is_404(client, officer, other_officer):
    from portal.models import Organisation

    client.force_login(officer)
    foreign = Organisation.objects.get(name="Rival Co")
    assert (
        client.post(reverse("organisation_switch"), {"organisation": foreign.pk}).status_code == 404
    )
    assert client.post(reverse("organisation_switch"), {"organisation": "abc"}).status_code == 404


def test_switch_refuses_an_external_redirect(client, officer):
    client.force_login(officer)
    membership = officer.memberships.get()
    response = client.post(
        reverse("organisation_switch"),
        {"organisation": membership.organisation_id, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
