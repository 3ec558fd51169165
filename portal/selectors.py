"""Reads about users and organisations."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import QuerySet
from django.http import Http404

from portal.models import ApiToken, Membership, Organisation, User

ACTIVE_ORGANISATION_SESSION_KEY = "active_organisation_id"


def membership_list(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def membership_active_get(
    *, user: User, session, memberships: list[Membership] | None = None
) -> Membership | None:
    """The membership of the organisation the user is working in (the first one if none chosen yet).

    ``memberships``: the user's memberships when the caller has already loaded them (no query).
    """
    if not user.is_authenticated:
        return None
    if memberships is None:
        memberships = list(membership_list(user=user))
    chosen = session.get(ACTIVE_ORGANISATION_SESSION_KEY)
    for membership in memberships:
        if membership.organisation_id == chosen:
            return membership
    return memberships[0] if memberships else None


def access_membership(*, user: User, organisation_id: int) -> Membership:
    """The user's membership of an organisation; 404 when there is none (as for a missing organisation)."""
    if not 0 < organisation_id < 2**63:  # no row has such an id; SQLite could not even look
        raise Http404("No such organisation.")
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation_id=organisation_id)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    return membership


def access_api_token(*, user: User, pk: str | int) -> ApiToken:
    """One of the user's own API tokens; 404 for anyone else's, a missing one, or an id that is
    not a number that fits a database id (``"abc"``, ``"1e3"``, ``10**30``)."""
    text = str(pk).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise Http404("No such token.")
    token = ApiToken.objects.filter(user=user, pk=int(text)).first()
    if token is None:
        raise Http404("No such token.")
    return token


# --- Audit chain (issue 14) ---------------------------------------------------------------------


class AuditChainBreak(NamedTuple):
    """Where the audit log's hash chain first breaks: the row's id and what is wrong with it.

    Example: ``AuditChainBreak(row_id=42, reason="its content does not match its hash")`` after
    someone edited row 42 directly in the database.
    """

    row_id: int | None
    reason: str


def audit_chain_verify() -> tuple[int, AuditChainBreak | None]:
    """Walk the audit log oldest first; return how many rows were checked and the first break.

    A row is broken when its ``prev_hash`` is not the previous row's hash (a row was removed or
    inserted) or when its content no longer gives its ``row_hash`` (a row was edited). The newest
    row's hash must also be the one the chain head holds (the newest row was removed).
    """
    from portal.models import AuditChainHead, AuditEvent

    previous = ""
    checked = 0
    for row in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        checked += 1
        if row.prev_hash != previous:
            return checked, AuditChainBreak(row.pk, "it does not follow the row before it")
        if row.compute_hash() != row.row_hash:
            return checked, AuditChainBreak(row.pk, "its content does not match its hash")
        previous = row.row_hash
    head = AuditChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first()
    if head is not None and head != previous:
        return checked, AuditChainBreak(None, "the newest rows are missing")
    return checked, None


# --- Organisation settings ---


def access_organisation_settings(*, user: User, organisation_id: int) -> Organisation:
    """The organisation whose report settings the user may change: its admins, officers and staff.

    Anyone else (an auditor, a non-member) gets the same 404 as for a missing organisation.
    """
    if user.is_staff:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
    else:
        membership = (
            Membership.objects.select_related("organisation")
            .filter(user=user, organisation_id=organisation_id)
            .first()
        )
        allowed = membership is not None and MemberAccess(membership).can_write
        organisation = membership.organisation if allowed else None
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation


# --- People and roles --------------------------------------------------------------------------

from dataclasses import dataclass  # noqa: E402

from django.core.exceptions import PermissionDenied  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.models import Invitation, Role  # noqa: E402


@dataclass(frozen=True)
class MemberAccess:
    """What one member may do in their organisation: the one place where roles are compared.

    Example: ``MemberAccess(membership).can_manage_members`` is True for an organisation admin
    only; ``can_write`` for admins and officers; ``is_contributor`` marks a person who answers
    only the questions assigned to them. ``assessments.selectors.AssessmentAccess`` builds on it.
    """

    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def can_manage_members(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_write(self) -> bool:
        """Create, scope, answer, submit, assign and plan actions in every assessment."""
        return self.role in (Role.ADMIN, Role.OFFICER)

    @property
    def is_contributor(self) -> bool:
        return self.role == Role.CONTRIBUTOR

    @property
    def is_auditor(self) -> bool:
        """Reviews, returns and approves assessments; never changes answers."""
        return self.role == Role.AUDITOR

    @property
    def can_read_all(self) -> bool:
        """Sees every assessment of the organisation (everyone but contributors)."""
        return self.role != Role.CONTRIBUTOR


def access_member(*, user: User, organisation_id: int) -> MemberAccess:
    """The user's rights in one organisation; the same 404 for a missing or foreign organisation."""
    return MemberAccess(access_membership(user=user, organisation_id=organisation_id))


def access_organisation_admin(*, user: User, organisation_id: int) -> MemberAccess:
    """An organisation admin's rights; 404 for outsiders, 403 for members who are not admins."""
    access = access_member(user=user, organisation_id=organisation_id)
    if not access.can_manage_members:
        raise PermissionDenied("Only organisation admins manage members.")
    return access


def member_list(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__username")
    )


def invitation_list(*, organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations still waiting to be accepted (not accepted, not revoked, not expired)."""
    return Invitation.objects.filter(
        organisation=organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at", "-id")


def invitation_get_by_token(*, token: str) -> Invitation:
    """The open invitation a link's token belongs to; 404 when unknown, used, revoked or expired."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_sha256=Invitation.digest(token))
        .first()
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= timezone.now()
    ):
        raise Http404("This invitation link is not valid any more.")
    return invitation


def staff_organisation_list() -> QuerySet[Organisation]:
    """Every organisation with its member count, for the staff landing page."""
    from django.db.models import Count

    return Organisation.objects.annotate(member_count=Count("memberships")).order_by("name")


def invitation_has_account(*, invitation: Invitation) -> bool:
    """Whether the invited address already has an account (which signs in, instead of a new one)."""
    return User.objects.filter(username__iexact=invitation.email).exists()


def organisation_ids_readable(*, user: User) -> QuerySet:
    """Ids of the organisations whose every assessment the user may read (contributors excluded)."""
    return (
        Membership.objects.filter(user=user)
        .exclude(role=Role.CONTRIBUTOR)
        .values("organisation_id")
    )


# --- Notifications ---------------------------------------------------------------------------

from portal.models import Notification, NotificationSettings  # noqa: E402


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notification_settings_get(*, user: User) -> NotificationSettings:
    """The user's choices; an unsaved default row (Japanese, every kind, e-mail) when none yet."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)
