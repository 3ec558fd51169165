"""Project-wide pages: organisation switch, API tokens, health check, error handlers."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal.api.errors import json_error
from portal.models import ApiToken
from portal.selectors import ACTIVE_ORGANISATION_SESSION_KEY, access_api_token, access_membership
from portal.services import api_token_create, api_token_revoke


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
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=100)


@login_required
def api_tokens(request):
    """Create and revoke personal API tokens; a new token is shown once."""
    form = TokenForm()
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token = access_api_token(user=request.user, pk=request.POST.get("revoke", ""))
            api_token_revoke(user=request.user, token=token)
            messages.success(request, _("Token revoked."))
            return redirect("api_tokens")
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, new_key = api_token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    response = render(
        request,
        "portal/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key},
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_broker() -> str:
    """Reach the broker within ``HEALTH_BROKER_TIMEOUT`` seconds (half a second): a Redis that is
    down or unreachable fails this check quickly instead of holding the web worker."""
    from portal.celery import app

    url = app.conf.broker_url
    timeout = settings.HEALTH_BROKER_TIMEOUT
    if url.startswith("memory"):
        return "ok"
    if url.startswith("filesystem"):
        folder = Path(
            settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", tempfile.gettempdir())
        )
        if not folder.is_dir():
            raise OSError(f"broker folder missing: {folder}")
        return "ok"
    if url.startswith("sqla+sqlite:///"):
        folder = Path(url.removeprefix("sqla+sqlite:///")).parent
        if not folder.is_dir():
            raise OSError(f"broker folder missing: {folder}")
        return "ok"
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False
        )
        try:
            client.ping()
        finally:
            client.close()
        return "ok"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=timeout)
    return "ok"


def _check_storage() -> str:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".healthz-"):
        pass
    return "ok"


READINESS_CHECKS = (
    ("database", _check_database),
    ("broker", _check_broker),
    ("storage", _check_storage),
)


@never_cache
def livez(request):
    """The process answers. Touches no database, broker or disk: a failing dependency must not
    get a healthy web process restarted (that is what /readyz is for)."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Database, broker and storage, each reported separately; 503 when one is down.
    The load balancer sends traffic only to a ready node. ``/healthz`` is the same check."""
    checks = {}
    for name, check in READINESS_CHECKS:
        try:
            checks[name] = check()
        except Exception as exc:  # any failure is a failed check, reported, never a 500
            checks[name] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


#: The older name, kept for existing probes and the compose file.
healthz = readyz


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return json_error(request, 404, "Not found.", "not_found")
    return render(request, "404.html", status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return json_error(request, 500, "Internal error.", "server_error")
    return render(request, "500.html", status=500)


# --- Organisation settings ---


class OrganisationSettingsForm(forms.Form):
    confidentiality_marking = forms.CharField(
        label=gettext_lazy("Confidentiality marking on reports"), max_length=40
    )
    logo = forms.FileField(
        label=gettext_lazy("Logo on the report cover (PNG or JPEG, at most 512 KB)"),
        required=False,
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)


@login_required
def organisation_settings(request, pk: int):
    """Report settings of an organisation (marking, logo), for its officers and staff."""
    from django.core.exceptions import ValidationError

    from portal.selectors import access_organisation_settings
    from portal.services import organisation_report_settings_update

    organisation = access_organisation_settings(user=request.user, organisation_id=pk)
    form = OrganisationSettingsForm(
        initial={"confidentiality_marking": organisation.confidentiality_marking}
    )
    status = 200
    if request.method == "POST":
        form = OrganisationSettingsForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                organisation_report_settings_update(
                    actor=request.user,
                    organisation=organisation,
                    confidentiality_marking=form.cleaned_data["confidentiality_marking"],
                    logo=form.cleaned_data["logo"],
                    remove_logo=form.cleaned_data["remove_logo"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                organisation.refresh_from_db()
            else:
                messages.success(request, _("Report settings saved."))
                return redirect("organisation_settings", pk=organisation.pk)
        status = 400
    return render(
        request,
        "portal/organisation_settings.html",
        {"organisation": organisation, "form": form},
        status=status,
    )
