"""Organisation admins invite people by e-mail, change roles and remove members; password reset."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.models import AuditEvent, Invitation, Membership, Role, User
from portal.services import (
    invitation_accept,
    invitation_create,
    membership_remove,
    membership_role_change,
)
from tests.factories import MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://\S+/accounts/invitations/(\S+)/")


@pytest.fixture
def org_admin(organisation):
    return MembershipFactory(
        user__username="boss",
        user__email="boss@acme.example",
        organisation=organisation,
        role=Role.ADMIN,
    ).user


def _invite(client, org_admin, organisation, email="legal@acme.example", role="contributor"):
    client.force_login(org_admin)
    return client.post(f"/organisations/{organisation.pk}/members/", {"email": email, "role": role})


def test_an_admin_invites_by_email_with_a_one_time_link_whose_token_is_stored_hashed(
    client, org_admin, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, org_admin, organisation)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    token = LINK.search(mail.outbox[0].body).group(1)
    invitation = Invitation.objects.get()
    assert invitation.token_sha256 == Invitation.digest(token)
    assert token not in invitation.token_sha256
    assert AuditEvent.objects.filter(event_type="invitation.created").count() == 1


def test_the_invited_person_sets_a_password_joins_and_the_link_works_once(
    client, org_admin, organisation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, org_admin, organisation)
    token = LINK.search(mail.outbox[0].body).group(1)
    client.logout()
    page = client.get(f"/accounts/invitations/{token}/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    response = client.post(
        f"/accounts/invitations/{token}/",
        {"password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="legal@acme.example")
    assert user.check_password("a-long-Passphrase-42")
    assert Membership.objects.get(user=user).role == Role.CONTRIBUTOR
    assert AuditEvent.objects.filter(event_type="invitation.accepted").count() == 1
    client.logout()
    assert client.get(f"/accounts/invitations/{token}/").status_code == 404


def test_a_weak_password_is_refused_with_the_field_named_and_nothing_created(
    client, org_admin, organisation
):
    _invitation, token = invitation_create(
        actor=org_admin,
        organisation=organisation,
        email="x@acme.example",
        role="officer",
        link_base="/",
    )
    client.logout()
    response = client.post(
        f"/accounts/invitations/{token}/", {"password1": "123", "password2": "123"}
    )
    assert response.status_code == 400
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(username="x@acme.example").exists()


def test_an_expired_or_revoked_invitation_link_is_not_found(client, org_admin, organisation):
    invitation, token = invitation_create(
        actor=org_admin,
        organisation=organisation,
        email="x@acme.example",
        role="officer",
        link_base="/",
    )
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(f"/accounts/invitations/{token}/").status_code == 404
    invitation2, token2 = invitation_create(
        actor=org_admin,
        organisation=organisation,
        email="y@acme.example",
        role="officer",
        link_base="/",
    )
    client.force_login(org_admin)
    client.post(f"/organisations/{organisation.pk}/invitations/{invitation2.pk}/revoke/")
    client.logout()
    assert client.get(f"/accounts/invitations/{token2}/").status_code == 404


def test_an_existing_account_joins_only_when_signed_in_with_the_invited_address(
    org_admin, organisation
):
    other = User.objects.create_user("someone", email="someone@acme.example", password="x")
    invitation, _token = invitation_create(
        actor=org_admin,
        organisation=organisation,
        email="someone@acme.example",
        role="auditor",
        link_base="/",
    )
    with pytest.raises(ValidationError):
        invitation_accept(invitation=invitation, user=org_admin)
    membership = invitation_accept(invitation=invitation, user=other)
    assert membership.role == Role.AUDITOR


def test_inviting_a_member_again_is_refused_naming_the_field(
    client, org_admin, organisation, officer
):
    officer.email = "officer@acme.example"
    officer.save()
    response = _invite(client, org_admin, organisation, email="officer@acme.example")
    assert response.status_code == 400
    assert "email" in response.context["form"].errors


def test_an_admin_changes_a_role_and_removes_a_member_each_audited(
    client, org_admin, organisation, officer
):
    membership = Membership.objects.get(user=officer)
    client.force_login(org_admin)
    client.post(
        f"/organisations/{organisation.pk}/members/{membership.pk}/role/", {"role": "auditor"}
    )
    membership.refresh_from_db()
    assert membership.role == Role.AUDITOR
    client.post(f"/organisations/{organisation.pk}/members/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    events = list(AuditEvent.objects.values_list("event_type", flat=True))
    assert "membership.role_changed" in events and "membership.removed" in events


def test_the_last_admin_cannot_be_demoted_or_removed(org_admin, organisation):
    membership = Membership.objects.get(user=org_admin)
    with pytest.raises(ValidationError) as error:
        membership_role_change(actor=org_admin, membership=membership, role="officer")
    assert "role" in error.value.message_dict
    with pytest.raises(ValidationError):
        membership_remove(actor=org_admin, membership=membership)
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


@pytest.mark.parametrize(
    ("who", "expected"), [("officer", 403), ("auditor", 403), ("intruder", 404)]
)
def test_only_organisation_admins_manage_members(
    client, organisation, officer, auditor, other_officer, who, expected
):
    client.force_login(User.objects.get(username=who))
    assert client.get(f"/organisations/{organisation.pk}/members/").status_code == expected


def test_password_reset_mails_a_link_that_sets_a_new_password_and_is_audited(client, officer):
    officer.email = "officer@acme.example"
    officer.save()
    response = client.post("/accounts/password/reset/", {"email": "officer@acme.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/\S+/)", mail.outbox[0].body)
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200 and page.context["validlink"]
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "another-Long-phrase-9", "new_password2": "another-Long-phrase-9"},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("another-Long-phrase-9")
    assert AuditEvent.objects.filter(event_type="user.password_reset").count() == 1


def test_a_staff_admin_without_membership_lands_on_a_useful_page(client, organisation):
    client.force_login(StaffFactory(username="root"))
    response = client.get("/assessments/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Acme AI" in content
    assert "/admin/" in content and "/frameworks/" in content
    assert "Ask an administrator" not in content


def test_a_password_change_is_audited(client, officer):
    client.force_login(officer)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "yet-another-Phrase-7",
            "new_password2": "yet-another-Phrase-7",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(event_type="user.password_changed").count() == 1
