"""Auditor review pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors, services

from ._shared import _assessment_url
from .lifecycle import _confirm, _revision

# --- Reviews ---------------------------------------------------------------------------------


@login_required
def assessment_return(request, pk: int):
    """GET: confirm, with the reason. POST: an auditor returns the assessment to the officer."""
    access = selectors.access_assessment(user=request.user, pk=pk, review=True)
    if request.method != "POST":
        return _confirm(
            request,
            access,
            title=_("Return to the officer"),
            explanation=_(
                "The officer can then change answers and reply to your queries, and submits "
                "again. Open queries: %(n)d."
            )
            % {
                "n": selectors.question_review_list(
                    assessment=access.assessment, open_only=True
                ).count()
            },
            action=reverse("assessments:return", args=[pk]),
            button=_("Return with queries"),
            reason=True,
            reason_required=True,
        )
    try:
        services.assessment_return(
            actor=request.user,
            assessment=access.assessment,
            reason=request.POST.get("reason", ""),
            expected_revision=_revision(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Returned to the officer. The reason is in the history."))
    return redirect("assessments:detail", pk=pk)


def _review_done(request, access, question, error: str | None = None):
    """After a review action: the question's review block (htmx), or back to its section."""
    if request.htmx:
        questionnaire = selectors.questionnaire_build(assessment=access.assessment)
        selectors.review_attach(questionnaire=questionnaire)
        block = questionnaire.questions.get(question.pk)
        html = render_to_string(
            "assessments/_review.html",
            {
                "access": selectors.access_assessment(user=request.user, pk=access.assessment.pk),
                "assessment": access.assessment,
                "a_url": _assessment_url(access.assessment),
                "block": block,
                "review_error": error,
            },
            request=request,
        )
        return HttpResponse(html, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect(
        reverse("assessments:section", args=[access.assessment.pk, question.provision.section_id])
        + f"#question-{question.pk}"
    )


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
@require_POST
def question_review(request, pk: int, question_pk: int):
    """An auditor sets accepted / query / rejected on one answer, with a comment."""
    access = selectors.access_assessment(user=request.user, pk=pk, review=True)
    question = selectors.access_question(assessment=access.assessment, pk=question_pk)
    try:
        services.question_review_set(
            actor=request.user,
            assessment=access.assessment,
            question=question,
            status=request.POST.get("status", ""),
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        return _review_done(request, access, question, _message(exc))
    return _review_done(request, access, question)


@login_required
@require_POST
def review_comment(request, pk: int, question_pk: int):
    """A reply (officer) or a follow-up (auditor) in one question's review thread."""
    access = selectors.access_assessment(user=request.user, pk=pk)
    question = selectors.access_question(assessment=access.assessment, pk=question_pk)
    try:
        services.review_comment_add(
            actor=request.user,
            assessment=access.assessment,
            question=question,
            text=request.POST.get("text", ""),
        )
    except ValidationError as exc:
        return _review_done(request, access, question, _message(exc))
    return _review_done(request, access, question)


@login_required
@require_POST
def review_resolve(request, pk: int, question_pk: int):
    """The auditor accepts the answer and closes its open query."""
    access = selectors.access_assessment(user=request.user, pk=pk, review=True)
    question = selectors.access_question(assessment=access.assessment, pk=question_pk)
    try:
        services.review_resolve(
            actor=request.user,
            assessment=access.assessment,
            question=question,
            comment=request.POST.get("text", ""),
        )
    except ValidationError as exc:
        return _review_done(request, access, question, _message(exc))
    return _review_done(request, access, question)


@login_required
def review_list(request, pk: int):
    """The reviewed questions, by default only the open queries and rejections (``?show=all``)."""
    access = selectors.access_assessment(user=request.user, pk=pk)
    open_only = request.GET.get("show") != "all"
    reviews = list(
        selectors.question_review_list(assessment=access.assessment, open_only=open_only)
    )
    return render(
        request,
        "assessments/reviews.html",
        {
            "access": access,
            "assessment": access.assessment,
            "reviews": reviews,
            "open_only": open_only,
        },
    )
