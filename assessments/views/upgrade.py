"""Upgrading an assessment to a newer framework version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from assessments import selectors, services
from assessments.models import AssessmentFramework
from frameworks.models import FrameworkVersion


@login_required
def upgrade(request, pk: int, pin_pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=request.method == "POST")
    pin = get_object_or_404(
        AssessmentFramework.objects.select_related("version", "framework"),
        pk=pin_pk,
        assessment=access.assessment,
    )
    target = selectors.framework_version_upgrade_target(pin=pin)
    if target is None:
        messages.info(request, _("This framework is already at its newest version."))
        return redirect("assessments:detail", pk=pk)
    if request.method == "POST":
        try:
            target_id = int(request.POST.get("target", ""))
        except ValueError:
            target_id = 0
        if target_id != target.pk:
            messages.error(
                request, _("A newer version was published meanwhile; review the summary again.")
            )
            return redirect("assessments:upgrade", pk=pk, pin_pk=pin_pk)
        try:
            services.assessment_upgrade(
                actor=request.user,
                assessment=access.assessment,
                pin=pin,
                target=FrameworkVersion.objects.get(pk=target_id),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("assessments:detail", pk=pk)
        messages.success(
            request, _("Upgraded. Answers to changed questions are marked for review.")
        )
        return redirect("assessments:detail", pk=pk)
    plan = selectors.upgrade_plan_get(assessment=access.assessment, pin=pin, target=target)
    return render(
        request,
        "assessments/upgrade.html",
        {"access": access, "assessment": access.assessment, "plan": plan},
    )
