from functools import wraps

from portal.selectors import MemberAccess, membership_active_get, membership_list


def fragment(view):
    """Mark a view whose responses are always fragments of a page (e.g. the autosave): they have
    no header, so the header's context processors below add nothing and run no query, whether
    or not the client sent ``HX-Request``.

    Example::

        @fragment
        def answer_save(request, pk, question_pk): ...
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.tekigo_fragment = True
        return view(request, *args, **kwargs)

    return wrapper


def _is_fragment(request) -> bool:
    """A response without the page header: a view marked :func:`fragment`, or an htmx request
    (``HX-Request`` without ``HX-Boosted``, nor a history restore)."""
    if getattr(request, "tekigo_fragment", False):
        return True
    headers = request.headers
    return bool(
        headers.get("HX-Request")
        and not headers.get("HX-Boosted")
        and not headers.get("HX-History-Restore-Request")
    )


def tenancy(request):
    """The organisations the user belongs to and the one being worked in, for the header.

    One query per request, however many templates the request renders (kept on the request),
    and none for a fragment (:func:`_is_fragment`): fragments have no header.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if _is_fragment(request):
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
    """The number of unread notifications, for the bell in the header: one query per request
    however many templates it renders (kept on the request), none for fragments."""
    from portal.selectors import notification_unread_count

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if _is_fragment(request):
        return {}
    cached = getattr(request, "_notifications", None)
    if cached is None:
        cached = request._notifications = {
            "unread_notifications": notification_unread_count(user=user)
        }
    return cached
