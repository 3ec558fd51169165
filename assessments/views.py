"""Assessment pages. Each view reaches its assessment through an ``access_*`` selector and
changes it only through a service; the templates render what the selectors computed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors, services
from assessments.downloads import evidence_file_response
from assessments.forms import AssessmentCreateForm, ScopingForm
from assessments.models import AssessmentFramework
from frameworks.choices import QuestionType
from frameworks.models import FrameworkVersion
from frameworks.selectors import framework_versions_latest_published
from portal.selectors import membership_active_get


def _assessment_url(assessment) -> str:
    """The assessment's URL, to which the question templates append their paths.

    One reverse() per page instead of four per question: on a page of 160 questions that was
    a fifth of the rendering time (bench/README.md).
    """
    return reverse("assessments:detail", args=[assessment.pk])


def _language() -> str:
    return get_language() or "ja"


@login_required
def dashboard(request):
    membership = membership_active_get(user=request.user, session=request.session)
    if membership is None:
        return render(request, "assessments/no_organisation.html", status=200)
    assessments = list(selectors.assessment_list(organisation=membership.organisation))
    rows = [
        (a, selectors.questionnaire_build(assessment=a, pins=list(a.pins.all())).progress)
        for a in assessments
    ]
    context = {
        "membership": membership,
        "rows": rows,
        "can_create": selectors.membership_can_create_assessment(membership),
    }
    return render(request, "assessments/dashboard.html", context)


@login_required
def assessment_create(request):
    membership = membership_active_get(user=request.user, session=request.session)
    if membership is None:
        raise Http404("No organisation.")
    membership = selectors.access_organisation_for_create(
        user=request.user, organisation_id=membership.organisation_id
    )
    versions = framework_versions_latest_published()
    form = AssessmentCreateForm(request.POST or None, versions=versions, language=_language())
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                actor=request.user,
                organisation=membership.organisation,
                name=form.cleaned_data["name"],
                versions=list(form.cleaned_data["versions"]),
                scoping=form.profile(),
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Assessment created."))
            return redirect("assessments:detail", pk=assessment.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "assessments/create.html", {"form": form, "membership": membership}, status=status
    )


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def assessment_detail(request, pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk)
    assessment = access.assessment
    pins = selectors.pins_of(assessment)
    questionnaire = selectors.questionnaire_build(assessment=assessment, pins=pins)
    upgrades = [
        (pin, target)
        for pin in pins
        if (target := selectors.framework_version_upgrade_target(pin=pin))
    ]
    show_missing = request.GET.get("missing") == "1"
    context = {
        "access": access,
        "assessment": assessment,
        "q": questionnaire,
        "upgrades": upgrades,
        "missing": questionnaire.missing() if show_missing else [],
        "show_missing": show_missing,
    }
    return render(request, "assessments/detail.html", context)


@login_required
def scoping_edit(request, pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=request.method == "POST")
    assessment = access.assessment
    if request.method == "POST":
        form = ScopingForm(request.POST, language=_language())
        if form.is_valid():
            try:
                services.assessment_scoping_update(
                    actor=request.user,
                    assessment=assessment,
                    scoping=form.profile(),
                    expected_revision=form.cleaned_data.get("revision"),
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Scope saved. The questionnaire now shows what applies to this scope; earlier answers are kept."
                    ),
                )
                return redirect("assessments:detail", pk=assessment.pk)
        status = 400
    else:
        form = ScopingForm(
            initial=ScopingForm.initial_from(assessment.scoping, assessment.revision),
            language=_language(),
        )
        status = 200
    return render(
        request,
        "assessments/scoping.html",
        {"form": form, "assessment": assessment, "access": access},
        status=status,
    )


@login_required
def section(request, pk: int, section_pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk)
    questionnaire = selectors.questionnaire_build(assessment=access.assessment)
    block = questionnaire.sections.get(section_pk)
    top = questionnaire.top_section_of(section_pk) if block else None
    if top is None:
        raise Http404("No such section.")
    framework = next(f for f in questionnaire.frameworks if top in f.sections)
    context = {
        "access": access,
        "assessment": access.assessment,
        "a_url": _assessment_url(access.assessment),
        "q": questionnaire,
        "framework": framework,
        "top": top,
        "editable": access.can_edit,
    }
    return render(request, "assessments/section.html", context)


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


def _question_fragment(
    request,
    access,
    question_id: int,
    *,
    status: str,
    status_class: str,
    extra: dict | None = None,
    code: int = 200,
):
    """The autosave response: the save status, plus out-of-band updates of the revision,
    the progress bars and every follow-up question whose visibility may have changed."""
    questionnaire = selectors.questionnaire_build(assessment=access.assessment)
    block = questionnaire.questions.get(question_id)
    if block is None:
        raise Http404("No such question.")
    dependents = [
        b
        for b in questionnaire.questions.values()
        if b.question.depends_on_urn == block.question.urn
        and b.question.version_id == block.question.version_id
    ]
    context = {
        "access": access,
        "assessment": access.assessment,
        "a_url": _assessment_url(access.assessment),
        "q": questionnaire,
        "block": block,
        "dependents": dependents,
        "status": status,
        "status_class": status_class,
        "editable": True,
        "top": questionnaire.top_section_of(block.question.provision.section_id),
        **(extra or {}),
    }
    return HttpResponse(
        render_to_string("assessments/_autosave_response.html", context, request=request),
        status=code,
    )


@login_required
@require_POST
def answer_save(request, pk: int, question_pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
    question = selectors.access_question(assessment=access.assessment, pk=question_pk)
    try:
        answer = services.answer_save(
            actor=request.user,
            assessment=access.assessment,
            question_id=question.pk,
            data=_answer_input(request),
        )
    except services.AnswerConflictError as exc:
        return _question_fragment(
            request,
            access,
            question_pk,
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
        return _question_fragment(
            request, access, question_pk, status=message, status_class="failed", code=422
        )
    return _question_fragment(
        request, access, question_pk, status="saved", status_class="saved", extra={"answer": answer}
    )


@login_required
@require_POST
def evidence_upload(request, pk: int, question_pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
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
def evidence_delete(request, pk: int, evidence_pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
    evidence = selectors.access_evidence(
        user=request.user, assessment=access.assessment, pk=evidence_pk
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
    access = selectors.access_assessment(user=request.user, pk=pk)
    evidence = selectors.access_evidence(
        user=request.user, assessment=access.assessment, pk=evidence_pk
    )
    return evidence_file_response(
        actor=request.user, assessment=access.assessment, evidence=evidence
    )


def _revision(request) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


@login_required
@require_POST
def assessment_submit(request, pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
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
            request, _("Submitted. The assessment is locked; an officer can reopen it.")
        )
    return redirect("assessments:detail", pk=pk)


@login_required
@require_POST
def assessment_reopen(request, pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
    try:
        services.assessment_reopen(
            actor=request.user, assessment=access.assessment, expected_revision=_revision(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Reopened. The reopening is recorded in the history."))
    return redirect("assessments:detail", pk=pk)


@login_required
def history(request, pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk)
    subject = request.GET.get("question") or None
    events = selectors.assessment_history_list(assessment=access.assessment, subject=subject)[:500]
    return render(
        request,
        "assessments/history.html",
        {"access": access, "assessment": access.assessment, "events": events, "subject": subject},
    )


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
