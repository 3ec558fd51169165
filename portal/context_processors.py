from portal.selectors import membership_active_get, membership_list


def tenancy(request):
    """The organisations the user belongs to and the one being worked in, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = list(membership_list(user=user))
    active = membership_active_get(user=user, session=request.session) if memberships else None
    return {"memberships": memberships, "active_membership": active}
