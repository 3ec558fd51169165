"""Assessment pages. Each view reaches its assessment through an ``access_*`` selector and
changes it only through a service; the templates render what the selectors computed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors, services
from assessments.downloads import evidence_file_response
from assessments.forms import AssessmentCreateForm, HistoryFilterForm, ScopingForm
from assessments.models import AssessmentFramework, AssessmentStatus
from assessments.workbooks import (
    MAX_WORKBOOK_BYTES,
    XLSX_CONTENT_TYPE,
    questionnaire_workbook_build,
)
from frameworks.choices import QuestionType
from frameworks.models import FrameworkVersion
from frameworks.selectors import framework_versions_latest_published
from portal.middleware import PRIVATE_NO_STORE
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
    selectors.review_attach(questionnaire=questionnaire)
    context = {
        "access": access,
        "assessment": assessment,
        "q": questionnaire,
        "review_progress": selectors.review_progress_get(questionnaire=questionnaire),
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
    selectors.review_attach(questionnaire=questionnaire)
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
    if access.can_comment:  # the re-rendered follow-ups keep their review threads
        selectors.review_attach(questionnaire=questionnaire)
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


@login_required
def history(request, pk: int):
    """The assessment's history as people read it, filtered, paged, or as CSV (``?format=csv``)."""
    access = selectors.access_assessment(user=request.user, pk=pk)
    form = HistoryFilterForm(
        request.GET or None,
        choices=selectors.history_filter_choices(
            assessment=access.assessment, language=_language()
        ),
    )
    valid = form.is_valid() or not form.is_bound
    filters = form.filters()  # the valid fields still apply; the invalid ones are named
    events = selectors.assessment_history_list(assessment=access.assessment, **filters)
    entries = selectors.history_entry_list(
        assessment=access.assessment, events=events, language=_language()[:2]
    )
    if request.GET.get("format") == "csv":
        return _history_csv(access.assessment, entries)
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessments/history.html",
        {
            "access": access,
            "assessment": access.assessment,
            "form": form,
            "page": page,
            "entries": page.object_list,
            "subject": filters.get("subject"),
            "query": query.urlencode(),
        },
        status=200 if valid else 400,
    )


HISTORY_PAGE_SIZE = 50


def _history_csv(assessment, entries) -> HttpResponse:
    """UTF-8 with a byte-order mark, so that Excel opens Japanese text correctly."""
    import csv
    import io

    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [_("When"), _("Who"), _("What"), _("Times"), _("Question"), _("Before"), _("After")]
    )
    for e in entries:
        writer.writerow(
            [
                e.occurred_at.isoformat(),
                e.actor_name,
                e.event_label,
                e.count,
                e.question.prompt_ja
                if e.question and _language().startswith("ja")
                else (e.question.prompt_en if e.question else e.subject),
                "\n".join(f"{c.label}: {c.before}" for c in e.changes),
                "\n".join(f"{c.label}: {c.after}" for c in e.changes),
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="history-{assessment.pk}.csv"'
    return response


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


# --- Workbook export and import --------------------------------------------------------------


@login_required
def questionnaire_export(request, pk: int):
    """The questionnaire as an Excel workbook in the reader's language."""
    access = selectors.access_assessment(user=request.user, pk=pk)
    content = questionnaire_workbook_build(assessment=access.assessment, language=_language())
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="tekigo-assessment-{pk}-{_language()[:2]}.xlsx"'
    )
    response["Cache-Control"] = PRIVATE_NO_STORE
    return response


@login_required
def questionnaire_import(request, pk: int):
    """Upload a workbook filled offline: every problem is listed and nothing is written, or every
    changed answer is saved."""
    access = selectors.access_assessment(user=request.user, pk=pk, write=request.method == "POST")
    errors, status = [], 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors, status = [_("Choose a workbook to upload.")], 400
        elif upload.size > MAX_WORKBOOK_BYTES:
            errors, status = [_("The file is larger than 10 MB.")], 400
        else:
            try:
                result = services.answers_workbook_import(
                    actor=request.user,
                    assessment=access.assessment,
                    name=upload.name,
                    content=upload.read(),
                    language=_language(),
                )
            except services.WorkbookImportError as exc:
                errors, status = exc.errors, 400
            except ValidationError as exc:
                errors, status = exc.messages, 409
            else:
                messages.success(
                    request,
                    _("Workbook imported: %(changed)d answers changed, %(unchanged)d unchanged.")
                    % {"changed": result.changed, "unchanged": result.unchanged},
                )
                return redirect("assessments:detail", pk=pk)
    context = {"access": access, "assessment": access.assessment, "errors": errors}
    return render(request, "assessments/import.html", context, status=status)


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
