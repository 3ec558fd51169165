"""Catalog pages (every signed-in user) and version lifecycle actions (staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError as PydanticValidationError

from frameworks import selectors, services
from frameworks.applicability import describe
from frameworks.forms import CloneForm
from frameworks.models import Framework, FrozenContentError


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


@staff_member_required
@require_POST
def version_publish(request, pk: int):
    def publish(version):
        services.framework_version_publish(actor=request.user, version=version)
        messages.success(request, _("Published. This version can no longer change."))
        return redirect("frameworks:version", pk=version.pk)

    return _lifecycle(request, pk, publish)


@staff_member_required
@require_POST
def version_retire(request, pk: int):
    def retire(version):
        services.framework_version_retire(actor=request.user, version=version)
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
