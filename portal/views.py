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
    """The file storage answers (the local folder, or the S3 bucket in production)."""
    from django.core.files.base import ContentFile

    from portal.storage import file_storage

    storage = file_storage()
    storage.delete(storage.save("healthz/probe", ContentFile(b"ok")))
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


# --- People: members, invitations, password reset ----------------------------------------------

from django.contrib.auth import login as auth_login  # noqa: E402
from django.contrib.auth import views as auth_views  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.shortcuts import get_object_or_404  # noqa: E402
from django.urls import reverse, reverse_lazy  # noqa: E402

from portal import selectors as portal_selectors  # noqa: E402
from portal import services as portal_services  # noqa: E402
from portal.models import Invitation, Membership, Role  # noqa: E402


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)


class AcceptForm(forms.Form):
    password1 = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=gettext_lazy("Password (again)"), widget=forms.PasswordInput)

    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


def _add_errors(form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def members(request, org: int):
    """An organisation admin's page: members with their roles, open invitations, the invite form."""
    access = portal_selectors.access_organisation_admin(user=request.user, organisation_id=org)
    organisation = access.membership.organisation
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                portal_services.invitation_create(
                    actor=request.user,
                    organisation=organisation,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    link_base=request.build_absolute_uri(reverse("invitation_accept_base")),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Invitation sent."))
                return redirect("members", org=org)
        status = 400
    context = {
        "organisation": organisation,
        "access": access,
        "members": portal_selectors.member_list(organisation=organisation),
        "invitations": portal_selectors.invitation_list(organisation=organisation),
        "form": form,
        "roles": Role.choices,
    }
    return render(request, "portal/members.html", context, status=status)


@login_required
@require_POST
def member_role(request, org: int, pk: int):
    access = portal_selectors.access_organisation_admin(user=request.user, organisation_id=org)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        pk=pk,
        organisation=access.membership.organisation,
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return redirect("members", org=org)
    try:
        portal_services.membership_role_change(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Role changed."))
    return redirect("members", org=org)


@login_required
@require_POST
def member_remove(request, org: int, pk: int):
    access = portal_selectors.access_organisation_admin(user=request.user, organisation_id=org)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"),
        pk=pk,
        organisation=access.membership.organisation,
    )
    try:
        portal_services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Member removed."))
    return redirect("members", org=org)


@login_required
@require_POST
def invitation_revoke(request, org: int, pk: int):
    access = portal_selectors.access_organisation_admin(user=request.user, organisation_id=org)
    invitation = get_object_or_404(
        Invitation.objects.select_related("organisation"),
        pk=pk,
        organisation=access.membership.organisation,
    )
    portal_services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation revoked."))
    return redirect("members", org=org)


def invitation_accept(request, token: str):
    """The one-time link: a new person sets a password; a signed-in person with the address joins."""
    invitation = portal_selectors.invitation_get_by_token(token=token)
    existing = not request.user.is_authenticated and portal_selectors.invitation_has_account(
        invitation=invitation
    )
    form = AcceptForm(request.POST or None) if not request.user.is_authenticated else None
    status = 200
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = portal_services.invitation_accept(
                    invitation=invitation, user=request.user
                )
            elif form.is_valid():
                membership = portal_services.invitation_accept(
                    invitation=invitation, password=form.cleaned_data["password1"]
                )
                auth_login(
                    request,
                    membership.user,
                    backend="django.contrib.auth.backends.ModelBackend",
                )
            else:
                membership = None
        except ValidationError as exc:
            if form is not None:
                _add_errors(form, exc, {"password": "password1"})
            else:
                messages.error(request, " ".join(exc.messages))
            membership = None
        if membership is not None:
            request.session[portal_selectors.ACTIVE_ORGANISATION_SESSION_KEY] = (
                membership.organisation_id
            )
            messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organisation})
            return redirect("/")
        status = 400
    response = render(
        request,
        "portal/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": existing},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    # The token is in the URL: the site-wide "same-origin" referrer policy keeps it from other
    # sites ("no-referrer" would make the form's Origin "null" and fail the CSRF check).
    return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset_form.html"
    email_template_name = "portal/email/password_reset.txt"
    subject_template_name = "portal/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        portal_services.password_reset_record(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with an audit row: every account change is recorded."""

    def form_valid(self, form):
        response = super().form_valid(form)
        portal_services.password_change_record(user=form.user)
        return response


# --- Notifications ---------------------------------------------------------------------------

from portal.models import NotificationKind  # noqa: E402


class NotificationSettingsForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language of messages"), choices=())
    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Tell me about"),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    email = forms.BooleanField(label=gettext_lazy("Also by e-mail"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES


@login_required
def notifications(request):
    """My notifications, newest first; opening the page marks them read. Also my choices."""
    prefs = portal_selectors.notification_settings_get(user=request.user)
    form = NotificationSettingsForm(
        request.POST or None,
        initial={
            "language": prefs.language,
            "kinds": [k for k in NotificationKind.values if k not in (prefs.muted_kinds or [])],
            "email": prefs.email,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            chosen = set(form.cleaned_data["kinds"])
            portal_services.notification_settings_update(
                user=request.user,
                language=form.cleaned_data["language"],
                muted_kinds=[k for k in NotificationKind.values if k not in chosen],
                email=form.cleaned_data["email"],
            )
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications")
        status = 400
    items = list(portal_selectors.notification_list(user=request.user)[:100])
    portal_services.notification_mark_read(
        user=request.user, notification_ids=[n.pk for n in items if n.read_at is None]
    )
    return render(
        request, "portal/notifications.html", {"items": items, "form": form}, status=status
    )
