from portal.selectors import MemberAccess, membership_active_get, membership_list


def tenancy(request):
    """The organisations the user belongs to and the one being worked in, for the header.

    One query per request, however many templates the request renders, and none for an htmx
    fragment (``HX-Request`` without ``HX-Boosted``, nor a history restore): fragments have no
    header.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    headers = request.headers
    if (
        headers.get("HX-Request")
        and not headers.get("HX-Boosted")
        and not headers.get("HX-History-Restore-Request")
    ):
        return {}
    cached = getattr(request, "_tenancy", None)
    if cached is None:
        memberships = list(membership_list(user=user))
        active = membership_active_get(user=user, session=request.session, memberships=memberships)
        cached = request._tenancy = {
            "memberships": memberships,
            "active_membership": active,
            "active_access": MemberAccess(active) if active else None,
        }
    return cached


def notifications(request):
    """The number of unread notifications, for the bell in the header (none for htmx fragments)."""
    from portal.selectors import notification_unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    headers = request.headers
    if headers.get("HX-Request") and not headers.get("HX-Boosted"):
        return {}
    return {"unread_notifications": notification_unread_count(user=user)}
