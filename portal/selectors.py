"""Reads about users and organisations."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from portal.models import Membership, Organisation, User

ACTIVE_ORGANISATION_SESSION_KEY = "active_organisation_id"


def membership_list(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def membership_active_get(*, user: User, session) -> Membership | None:
    """The membership of the organisation the user is working in (the first one if none chosen yet)."""
    if not user.is_authenticated:
        return None
    memberships = list(membership_list(user=user))
    chosen = session.get(ACTIVE_ORGANISATION_SESSION_KEY)
    for membership in memberships:
        if membership.organisation_id == chosen:
            return membership
    return memberships[0] if memberships else None


def access_membership(*, user: User, organisation_id: int) -> Membership:
    """The user's membership of an organisation; 404 when there is none (as for a missing organisation)."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation_id=organisation_id)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    return membership


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
