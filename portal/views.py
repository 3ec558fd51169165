from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.selectors import ACTIVE_ORGANISATION_SESSION_KEY, access_membership


@login_required
@require_POST
def organisation_switch(request):
    """Work in another of the user's organisations; a foreign id gives the same 404 as a missing one."""
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        organisation_id = 0
    membership = access_membership(user=request.user, organisation_id=organisation_id)
    request.session[ACTIVE_ORGANISATION_SESSION_KEY] = membership.organisation_id
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return redirect(target)
