"""Submitting and reopening an assessment (confirmed first)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from assessments import selectors, services
from assessments.models import AssessmentStatus


def _revision(request) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


def _confirm(request, access, *, status: int = 200, **context):
    """The confirmation page of a state change: works without JavaScript, names what happens,
    and asks for a reason where the change needs one."""
    return render(
        request,
        "assessments/confirm.html",
        {"access": access, "assessment": access.assessment, **context},
        status=status,
    )


@login_required
def assessment_submit(request, pk: int):
    """GET: what submitting means, and a confirm button. POST: submit for review."""
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
    if request.method != "POST":
        return _confirm(
            request,
            access,
            title=_("Submit for review"),
            explanation=_(
                "Answers are locked while an auditor reviews them. The auditor approves the "
                "assessment or returns it with queries."
            ),
            action=reverse("assessments:submit", args=[pk]),
            button=_("Submit for review"),
            # Shown before the officer tries: what the submission would refuse for (issue 12).
            missing=selectors.missing_answer_list(
                questionnaire=selectors.questionnaire_build(assessment=access.assessment)
            ),
        )
    try:
        services.assessment_submit(
            actor=request.user, assessment=access.assessment, expected_revision=_revision(request)
        )
    except services.AssessmentIncompleteError as exc:
        messages.error(request, exc.messages[0])
        return redirect(reverse("assessments:detail", args=[pk]) + "?missing=1#missing")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Submitted for review. Answers are locked until an auditor returns it.")
        )
    return redirect("assessments:detail", pk=pk)


@login_required
def assessment_reopen(request, pk: int):
    """GET: confirm, with a reason (required for an approved assessment). POST: back to draft.

    An approved assessment is reopened through ``reports:reopen``, which also voids its sign-off;
    the confirmation page posts there.
    """
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
    approved = access.assessment.status == AssessmentStatus.APPROVED
    if request.method != "POST":
        return _confirm(
            request,
            access,
            title=_("Reopen the assessment"),
            explanation=_(
                "Reopening voids the approval: reports issued so far are no longer shown as "
                "approved, and the assessment needs a new review."
            )
            if approved
            else _("Reopening withdraws the assessment from review and unlocks the answers."),
            action=reverse("reports:reopen", args=[pk])
            if approved
            else reverse("assessments:reopen", args=[pk]),
            button=_("Reopen"),
            reason=True,
            reason_required=approved,
        )
    try:
        services.assessment_reopen(
            actor=request.user,
            assessment=access.assessment,
            reason=request.POST.get("reason", ""),
            expected_revision=_revision(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Reopened. The reopening is recorded in the history."))
    return redirect("assessments:detail", pk=pk)
