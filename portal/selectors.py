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
    """The organisation whose report settings the user may change: its officers and staff.

    Anyone else (an auditor, a non-member) gets the same 404 as for a missing organisation.
    """
    from portal.models import Role

    if user.is_staff:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
    else:
        membership = (
            Membership.objects.select_related("organisation")
            .filter(user=user, organisation_id=organisation_id, role=Role.OFFICER)
            .first()
        )
        organisation = membership.organisation if membership else None
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation
