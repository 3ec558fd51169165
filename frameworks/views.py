"""Catalog pages (every signed-in user) and version lifecycle actions (staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticValidationError

from frameworks import selectors, services
from frameworks.applicability import describe
from frameworks.forms import CloneForm, OscalImportForm, PublishForm, RetireForm
from frameworks.models import Framework, FrozenContentError
from frameworks.oscal import framework_version_oscal_json


@login_required
def catalog(request):
    frameworks = selectors.framework_list(include_drafts=request.user.is_staff)
    return render(request, "frameworks/catalog.html", {"frameworks": frameworks})


@login_required
def version_detail(request, pk: int):
    version = selectors.access_framework_version(user=request.user, pk=pk)
    context = {
        "version": version,
        "tree": selectors.framework_version_tree(version=version),
        "other_versions": selectors.framework_version_list(
            framework=version.framework, include_drafts=request.user.is_staff
        ).exclude(pk=version.pk),
        "clone_form": CloneForm(),
        "publish_form": PublishForm(initial={"effective_date": version.effective_date}),
        "retire_form": RetireForm(),
    }
    return render(request, "frameworks/version_detail.html", context)


@login_required
def provision_detail(request, pk: int, provision_pk: int):
    version = selectors.access_framework_version(user=request.user, pk=pk)
    provision = selectors.provision_get(version=version, pk=provision_pk)
    context = {
        "version": version,
        "provision": provision,
        "applicability": describe(provision.applies_when, get_language() or "ja"),
    }
    return render(request, "frameworks/provision_detail.html", context)


@login_required
def version_diff(request, framework_pk: int):
    framework = get_object_or_404(Framework, pk=framework_pk)
    versions = list(
        selectors.framework_version_list(framework=framework, include_drafts=request.user.is_staff)
    )
    by_pk = {str(v.pk): v for v in versions}
    if len(versions) < 2:
        return render(
            request,
            "frameworks/diff.html",
            {"framework": framework, "versions": versions, "diff": None},
        )
    old = by_pk.get(request.GET.get("old", ""), versions[1])
    new = by_pk.get(request.GET.get("new", ""), versions[0])
    diff, error = None, None
    try:
        diff = selectors.framework_version_diff(old=old, new=new)
    except PydanticValidationError:
        error = _("One of these versions is an incomplete draft; fix it before comparing.")
    context = {
        "framework": framework,
        "versions": versions,
        "old": old,
        "new": new,
        "diff": diff,
        "error": error,
    }
    return render(request, "frameworks/diff.html", context)


def _lifecycle(request, pk: int, action):
    version = selectors.framework_version_get(pk=pk)
    try:
        result = action(version)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("frameworks:version", pk=version.pk)
    except FrozenContentError as exc:
        messages.error(request, str(exc))
        return redirect("frameworks:version", pk=version.pk)
    return result


@staff_member_required
@require_POST
def version_clone(request, pk: int):
    form = CloneForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("version", []):
            messages.error(request, error)
        return redirect("frameworks:version", pk=pk)

    def clone(version):
        new = services.framework_version_clone(
            actor=request.user, version=version, label=form.cleaned_data["version"]
        )
        messages.success(
            request,
            _("Draft %(version)s created. Edit it, then publish it.") % {"version": new.version},
        )
        return redirect("frameworks:version", pk=new.pk)

    return _lifecycle(request, pk, clone)


def _confirm(request, version, *, action: str, form, title: str, button: str):
    """The confirmation step of a lifecycle action: the form's values, shown once more.

    Publishing also shows what changed since the version the draft was cloned from.
    """
    diff = None
    if action == "publish" and form.is_valid() and version.cloned_from is not None:
        try:
            diff = selectors.framework_version_diff(old=version.cloned_from, new=version)
        except PydanticValidationError:
            diff = None  # an incomplete draft: publishing itself names the problem
    context = {
        "version": version,
        "action": action,
        "form": form,
        "title": title,
        "button": button,
        "diff": diff,
    }
    return render(request, "frameworks/version_confirm.html", context)


@staff_member_required
@require_POST
def version_publish(request, pk: int):
    """Publish in two steps: the form (effective date, release note), then its confirmation."""
    form = PublishForm(request.POST)

    def publish(version):
        if not version.is_draft:
            raise ValidationError(_("%(version)s is already published.") % {"version": version})
        if not form.is_valid() or "confirm" not in request.POST:
            return _confirm(
                request,
                version,
                action="publish",
                form=form,
                title=_("Publish %(version)s") % {"version": version},
                button=_("Publish for good"),
            )
        services.framework_version_publish(actor=request.user, version=version, **form.cleaned_data)
        messages.success(request, _("Published. This version can no longer change."))
        return redirect("frameworks:version", pk=version.pk)

    return _lifecycle(request, pk, publish)


@staff_member_required
@require_POST
def version_retire(request, pk: int):
    """Retire in two steps: the reason, then its confirmation."""
    form = RetireForm(request.POST)

    def retire(version):
        if not form.is_valid() or "confirm" not in request.POST:
            return _confirm(
                request,
                version,
                action="retire",
                form=form,
                title=_("Retire %(version)s") % {"version": version},
                button=_("Retire for good"),
            )
        services.framework_version_retire(
            actor=request.user, version=version, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Retired. New assessments will no longer use this version."))
        return redirect("frameworks:version", pk=version.pk)

    return _lifecycle(request, pk, retire)


@staff_member_required
@require_POST
def version_delete(request, pk: int):
    def delete(version):
        services.framework_version_draft_delete(actor=request.user, version=version)
        messages.success(request, _("Draft deleted."))
        return redirect(reverse("frameworks:catalog"))

    return _lifecycle(request, pk, delete)


# --- OSCAL ---------------------------------------------------------------------------------------


@login_required
def version_oscal(request, pk: int):
    """The version as an OSCAL catalog (JSON), for GRC tools that read OSCAL."""
    version = selectors.access_framework_version(user=request.user, pk=pk)
    response = HttpResponse(
        framework_version_oscal_json(version=version), content_type="application/json"
    )
    slug = version.framework.urn.rsplit(":", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="{slug}-{version.version}.oscal.json"'
    return response


@staff_member_required
def oscal_import(request):
    """Staff upload an OSCAL catalog; it becomes a draft version to edit and publish."""
    form = OscalImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.framework_version_oscal_import(
                actor=request.user,
                content=form.cleaned_data["file"].read(),
                version_label=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("Draft %(version)s created from the OSCAL catalog. Review it, then publish it.")
                % {"version": version.version},
            )
            return redirect("frameworks:version", pk=version.pk)
    status = 400 if form.errors else 200
    return render(request, "frameworks/oscal_import.html", {"form": form}, status=status)
