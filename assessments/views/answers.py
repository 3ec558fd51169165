"""Autosaving answers and attaching evidence."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors, services
from assessments.downloads import evidence_file_response
from frameworks.choices import QuestionType
from portal.context_processors import fragment

from ._shared import _assessment_url


def _answer_input(request) -> services.AnswerInput:
    question_type = request.POST.get("type", "")
    value = (
        request.POST.getlist("value")
        if question_type == QuestionType.MULTIPLE_CHOICE
        else request.POST.get("value")
    )
    try:
        revision = int(request.POST["revision"]) if request.POST.get("revision", "") != "" else None
    except ValueError:
        revision = -1  # a malformed revision can never match: treat it as stale
    return services.AnswerInput(
        value=value,
        comment=request.POST.get("comment", ""),
        not_applicable=request.POST.get("not_applicable") in ("on", "true", "1"),
        justification=request.POST.get("justification", ""),
        revision=revision,
    )


def _autosave_response(
    request,
    access,
    question,
    *,
    status: str,
    status_class: str,
    change=None,
    extra: dict | None = None,
    code: int = 200,
):
    """The autosave response: the save status, plus out-of-band updates of only what changed:
    the revision, and when the save moved anything (``change.questionnaire``), the progress panel,
    the counts of the frameworks and sections that moved, and the follow-up questions that
    appeared or disappeared."""
    questionnaire = change.questionnaire if change is not None else None
    followups = []
    if questionnaire is not None:
        followups = [
            b for b in change.followups if not access.is_limited or access.may_answer(b.question.pk)
        ]
        if followups and access.can_comment:  # the re-drawn follow-ups keep their review threads
            selectors.review_attach(questionnaire=questionnaire)
    context = {
        "access": access,
        "assessment": access.assessment,
        "a_url": _assessment_url(access.assessment),
        "question": question,
        "q": questionnaire,
        "change": change,
        "followups": followups,
        "status": status,
        "status_class": status_class,
        "editable": True,
        "top": (
            questionnaire.top_section_of(question.provision.section_id)
            if questionnaire is not None
            else None
        ),
        **(extra or {}),
    }
    return HttpResponse(
        render_to_string("assessments/_autosave_response.html", context, request=request),
        status=code,
    )


@login_required
@require_POST
@fragment
def answer_save(request, pk: int, question_pk: int):
    access = selectors.access_assessment(
        user=request.user, pk=pk, write=True, question_id=question_pk
    )
    # The pins as at the assessment's revision and the question from their content, both kept in
    # memory (usually no query): a question outside them is the same 404 as access_question's.
    pins = selectors.pins_of_revision(access.assessment)
    question = selectors.questionnaire_question_get(pins=pins, pk=question_pk)
    try:
        saved = services.answer_autosave(
            actor=request.user,
            assessment=access.assessment,
            question_id=question.pk,
            question=question,  # of the pinned versions: not read again
            data=_answer_input(request),
        )
    except services.AnswerConflictError as exc:
        return _autosave_response(
            request,
            access,
            question,
            status="conflict",
            status_class="conflict",
            extra={"current": exc.current},
            code=409,
        )
    except ValidationError as exc:
        message = (
            " ".join(m for msgs in exc.message_dict.values() for m in msgs)
            if hasattr(exc, "error_dict")
            else " ".join(exc.messages)
        )
        return _autosave_response(
            request, access, question, status=message, status_class="failed", code=422
        )
    change = selectors.questionnaire_change_get(
        assessment=access.assessment,
        pins=pins,
        question=question,
        answer=saved.answer,
        previous=saved.previous,
    )
    return _autosave_response(
        request,
        access,
        question,
        status="saved",
        status_class="saved",
        change=change,
        extra={"answer": saved.answer},
    )


@login_required
@require_POST
@fragment
def evidence_upload(request, pk: int, question_pk: int):
    access = selectors.access_assessment(
        user=request.user, pk=pk, write=True, question_id=question_pk
    )
    question = selectors.access_question(assessment=access.assessment, pk=question_pk)
    upload = request.FILES.get("file")
    error = None
    if upload is None:
        error = _("Choose a file to upload.")
    else:
        try:
            services.evidence_upload(
                actor=request.user,
                assessment=access.assessment,
                question_id=question.pk,
                upload=upload,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    questionnaire = selectors.questionnaire_build(assessment=access.assessment)
    block = questionnaire.questions.get(question_pk)
    if block is None:
        raise Http404("No such question.")
    context = {
        "access": access,
        "assessment": access.assessment,
        "a_url": _assessment_url(access.assessment),
        "block": block,
        "editable": True,
        "upload_error": error,
    }
    html = render_to_string("assessments/_evidence.html", context, request=request)
    return HttpResponse(html, status=400 if error else 200)


@login_required
@require_POST
@fragment
def evidence_delete(request, pk: int, evidence_pk: int):
    access, evidence = selectors.access_assessment_evidence(
        user=request.user, pk=pk, evidence_pk=evidence_pk, write=True
    )
    question_id = evidence.answer.question_id
    try:
        services.evidence_delete(
            actor=request.user, assessment=access.assessment, evidence=evidence
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=409)
    block = selectors.questionnaire_build(assessment=access.assessment).questions[question_id]
    context = {
        "access": access,
        "assessment": access.assessment,
        "a_url": _assessment_url(access.assessment),
        "block": block,
        "editable": True,
    }
    return HttpResponse(render_to_string("assessments/_evidence.html", context, request=request))


@login_required
def evidence_download(request, pk: int, evidence_pk: int):
    access, evidence = selectors.access_assessment_evidence(
        user=request.user, pk=pk, evidence_pk=evidence_pk
    )
    return evidence_file_response(
        actor=request.user, assessment=access.assessment, evidence=evidence
    )
