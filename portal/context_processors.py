from portal.selectors import MemberAccess, membership_active_get, membership_list


def tenancy(request):
    """The organisations the user belongs to and the one being worked in, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(membership_list(user=user))
    active = membership_active_get(user=user, session=request.session) if memberships else None
    return {
        "memberships": memberships,
        "active_membership": active,
        "active_access": MemberAccess(active) if active else None,
    }


def notifications(request):
    """The number of unread notifications, for the bell in the header."""
    from portal.selectors import notification_unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": notification_unread_count(user=user)}
