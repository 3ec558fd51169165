"""People: invitations, roles, removal, password events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import (
    AuditEventType,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
)

from .audit import audit_record

# --- People: invitations, roles, removal -------------------------------------------------------


def _membership_snapshot(membership: Membership) -> dict[str, Any]:
    return {"user": membership.user.get_username(), "role": membership.role}


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str, link_base: str
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``organisation`` as ``role``; e-mails a one-time link after commit.

    ``link_base`` is the absolute URL the token is appended to, e.g.
    ``https://tekigo.example/accounts/invitations/``. Returns the row and the token (never stored).
    """
    email = (email or "").strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    token = Invitation.new_token()
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_sha256=Invitation.digest(token),
        invited_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=Invitation.VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor,
        event_type=AuditEventType.INVITATION_CREATED,
        obj=invitation,
        after={"email": email, "role": role},
        organisation=organisation,
    )
    context = {
        "organisation": organisation.name,
        "inviter": actor.get_username(),
        "role": Role(role).label,
        "link": f"{link_base}{token}/",
        "days": Invitation.VALID_DAYS,
    }
    subject = _("You are invited to %(organisation)s on Tekigo") % context
    body = render_to_string("portal/email/invitation.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)
    )
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            event_type=AuditEventType.INVITATION_REVOKED,
            obj=invitation,
            before={"revoked_at": None},
            after={"revoked_at": invitation.revoked_at.isoformat()},
            organisation=invitation.organisation,
        )


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, user: User | None = None, password: str = ""
) -> Membership:
    """Use an invitation once: an existing (signed-in) ``user`` joins, or a new account is made.

    A new account is named after the invited address and gets ``password`` (validated by
    Django's password validators). A second use of the same link is refused.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError({"token": _("This invitation has already been used.")})
    if invitation.expires_at <= timezone.now():
        raise ValidationError({"token": _("This invitation has expired.")})
    if user is None:
        if User.objects.filter(username__iexact=invitation.email).exists():
            raise ValidationError(
                {"token": _("An account with this address exists: sign in first.")}
            )
        user = User(username=invitation.email, email=invitation.email)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        user.set_password(password)
        user.full_clean()
        user.save()
    elif (user.email or "").lower() != invitation.email:
        raise ValidationError({"token": _("This invitation was sent to another address.")})
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        event_type=AuditEventType.INVITATION_ACCEPTED,
        obj=invitation,
        after=_membership_snapshot(membership),
        organisation=invitation.organisation,
    )
    return membership


def _refuse_last_admin(membership: Membership) -> None:
    # An organisation without an admin could never manage its members again.
    if (
        membership.role == Role.ADMIN
        and not Membership.objects.filter(
            organisation_id=membership.organisation_id, role=Role.ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError({"role": _("An organisation keeps at least one admin.")})


@transaction.atomic
def membership_role_change(*, actor: User, membership: Membership, role: str) -> Membership:
    before = _membership_snapshot(membership)
    if role != membership.role:
        if role != Role.ADMIN:
            _refuse_last_admin(membership)
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role"])
        audit_record(
            actor=actor,
            event_type=AuditEventType.MEMBERSHIP_ROLE_CHANGED,
            obj=membership,
            before=before,
            after=_membership_snapshot(membership),
            organisation=membership.organisation,
        )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    _refuse_last_admin(membership)
    audit_record(
        actor=actor,
        event_type=AuditEventType.MEMBERSHIP_REMOVED,
        obj=membership,
        before=_membership_snapshot(membership),
        organisation=membership.organisation,
    )
    membership.delete()


def password_reset_record(*, user: User) -> None:
    """Audit a password set through an e-mailed reset link (called by the reset-confirm page)."""
    audit_record(actor=user, event_type=AuditEventType.PASSWORD_RESET, obj=user)


def password_change_record(*, user: User) -> None:
    """Audit a password changed by its signed-in owner (never the password itself)."""
    audit_record(actor=user, event_type=AuditEventType.PASSWORD_CHANGED, obj=user)
