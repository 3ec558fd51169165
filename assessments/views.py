"""Assessment pages. Each view reaches its assessment through an ``access_*`` selector and
changes it only through a service; the templates render what the selectors computed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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
from portal.limits import organisation_limit_response
from portal.middleware import PRIVATE_NO_STORE
from portal.selectors import MemberAccess, membership_active_get, staff_organisation_list


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
        if request.user.is_staff:
            return render(
                request,
                "portal/staff_landing.html",
                {"organisations": staff_organisation_list()},
            )
        return render(request, "assessments/no_organisation.html", status=200)
    member = MemberAccess(membership)
    if not member.can_read_all:
        return redirect("assessments:my_work")  # a contributor's work is what is assigned to them
    assessments = list(selectors.assessment_list(organisation=membership.organisation))
    rows = [
        (a, selectors.questionnaire_build(assessment=a, pins=list(a.pins.all())).progress)
        for a in assessments
    ]
    context = {
        "membership": membership,
        "member": member,
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
        and (not access.is_limited or access.may_answer(b.question.pk))
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
    access = selectors.access_assessment(
        user=request.user, pk=pk, write=True, question_id=question_pk
    )
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
    limited = organisation_limit_response(
        scope="exports", organisation_id=access.assessment.organisation_id
    )
    if limited is not None:
        return limited
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


# --- Assignments and "My work" -----------------------------------------------------------------

import datetime as dt  # noqa: E402

from django import forms  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402

from portal.selectors import member_list  # noqa: E402


def _parse_date(value: str | None, field_name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field_name: _("Enter a date as YYYY-MM-DD.")}) from None


def _parse_id(value: str | None, field_name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationError({field_name: _("Choose an item from the list.")}) from None


@login_required
def my_work(request):
    """What is assigned to me across assessments (sections, questions, actions), overdue first."""
    today = timezone.localdate()
    items = selectors.my_work_list(user=request.user, today=today)
    return render(request, "assessments/my_work.html", {"items": items, "today": today})


@login_required
def mine(request, pk: int):
    """The questions of one assessment assigned to me, and only those, to answer."""
    access = selectors.access_assessment(user=request.user, pk=pk, limited=True)
    question_ids = (
        access.question_ids
        if access.is_limited
        else selectors.assigned_question_ids(assessment=access.assessment, user=request.user)
    )
    questionnaire = selectors.questionnaire_build(assessment=access.assessment)
    blocks = [
        b
        for qid, b in questionnaire.questions.items()
        if qid in question_ids and b.provision_applies
    ]
    context = {
        "access": access,
        "assessment": access.assessment,
        "a_url": _assessment_url(access.assessment),
        "blocks": blocks,
        "editable": not access.assessment.is_locked and (access.is_limited or access.can_write),
    }
    return render(request, "assessments/mine.html", context)


class AssignmentForm(forms.Form):
    assignee = forms.TypedChoiceField(label=gettext_lazy("Member"), coerce=int)
    target = forms.CharField(label=gettext_lazy("Section or question"))
    due_date = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, members, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(m.user_id, m.user.get_username()) for m in members]
        self.fields["target"].widget = forms.Select(choices=targets)


def _assignment_targets(questionnaire) -> list[tuple[str, str]]:
    """Choices "s:<id>" for sections and "q:<id>" for questions, indented under their section."""
    language = _language()
    choices = []
    for framework in questionnaire.frameworks:
        for top in framework.sections:
            for block in top.walk():
                section = block.section
                title = section.title_en if language.startswith("en") else section.title_ja
                choices.append((f"s:{section.pk}", f"§ {section.ref} {title}".strip()))
                for provision_block in block.provisions:
                    for q in provision_block.questions:
                        prompt = (
                            q.question.prompt_en if language.startswith("en") else ""
                        ) or q.question.prompt_ja
                        choices.append((f"q:{q.question.pk}", f"    {prompt[:90]}"))
    return choices


@login_required
def assignments(request, pk: int):
    """Officers plan an assessment: its owner and due date, and who answers which section/question."""
    access = selectors.access_assessment(user=request.user, pk=pk, write=request.method == "POST")
    assessment = access.assessment
    members = list(member_list(organisation=assessment.organisation))
    questionnaire = selectors.questionnaire_build(assessment=assessment)
    form = AssignmentForm(
        request.POST or None, members=members, targets=_assignment_targets(questionnaire)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kind, _sep, raw_id = form.cleaned_data["target"].partition(":")
            try:
                target_id = _parse_id(raw_id, "target")
                services.assignment_create(
                    actor=request.user,
                    assessment=assessment,
                    assignee_id=form.cleaned_data["assignee"],
                    section_id=target_id if kind == "s" else None,
                    question_id=target_id if kind == "q" else None,
                    due_date=form.cleaned_data["due_date"],
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Assigned."))
                return redirect("assessments:assignments", pk=pk)
        status = 400
    context = {
        "access": access,
        "assessment": assessment,
        "members": members,
        "assignments": selectors.assignment_list(assessment=assessment),
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "assessments/assignments.html", context, status=status)


@login_required
@require_POST
def assignment_delete(request, pk: int, assignment_pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
    assignment = get_object_or_404(
        selectors.assignment_list(assessment=access.assessment), pk=assignment_pk
    )
    services.assignment_delete(actor=request.user, assignment=assignment)
    messages.success(request, _("Assignment removed."))
    return redirect("assessments:assignments", pk=pk)


@login_required
@require_POST
def assessment_plan(request, pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
    try:
        services.assessment_plan_update(
            actor=request.user,
            assessment=access.assessment,
            owner_id=_parse_id(request.POST.get("owner"), "owner"),
            due_date=_parse_date(request.POST.get("due_date"), "due_date"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessments:assignments", pk=pk)
    messages.success(request, _("Plan saved."))
    return redirect("assessments:assignments", pk=pk)


# --- Remediation actions -----------------------------------------------------------------------

from assessments.downloads import action_evidence_file_response  # noqa: E402
from assessments.models import ActionStatus  # noqa: E402


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any"))] + list(ActionStatus.choices),
        required=False,
    )
    owner = forms.TypedChoiceField(
        label=gettext_lazy("Owner"), coerce=int, required=False, empty_value=None
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Anyone"))] + [
            (m.user_id, m.user.get_username()) for m in members
        ]

    def filters(self, assessment_id: int | None = None) -> selectors.ActionFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.ActionFilters(
            status=data.get("status") or None,
            owner_id=data.get("owner"),
            overdue=bool(data.get("overdue")),
            assessment_id=assessment_id,
        )


class ActionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    owner = forms.TypedChoiceField(
        label=gettext_lazy("Owner"), coerce=int, required=False, empty_value=None
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    questions = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Questions with the gap"), coerce=int, required=False
    )

    def __init__(self, *args, members, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [
            (m.user_id, m.user.get_username()) for m in members
        ]
        self.fields["questions"].choices = list(questions)

    def action_input(self) -> services.ActionInput:
        data = self.cleaned_data
        return services.ActionInput(
            title=data["title"],
            description=data["description"],
            owner_id=data["owner"],
            due_date=data["due_date"],
            question_ids=data["questions"],
        )


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=ActionStatus.choices)
    risk_justification = forms.CharField(
        label=gettext_lazy("Why the risk is accepted"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    owner = forms.TypedChoiceField(
        label=gettext_lazy("Owner"), coerce=int, required=False, empty_value=None
    )
    due_date = forms.DateField(
        label=gettext_lazy("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [
            (m.user_id, m.user.get_username()) for m in members
        ]


def _question_choices(questionnaire) -> list[tuple[int, str]]:
    language = _language()
    choices = []
    for block in questionnaire.questions.values():
        if not block.counts:
            continue
        q = block.question
        prompt = (q.prompt_en if language.startswith("en") else "") or q.prompt_ja
        choices.append((q.pk, f"{q.provision.ref} — {prompt[:90]}"))
    return choices


@login_required
def action_plan(request):
    """The action plan of the organisation I work in, with filters; overdue actions first."""
    membership = membership_active_get(user=request.user, session=request.session)
    if membership is None or not MemberAccess(membership).can_read_all:
        raise Http404("No organisation.")
    members = list(member_list(organisation=membership.organisation))
    filter_form = ActionFilterForm(request.GET or None, members=members)
    actions = list(
        selectors.action_list(organisation=membership.organisation, filters=filter_form.filters())
    )
    context = {
        "organisation": membership.organisation,
        "actions": actions,
        "counts": selectors.action_status_counts(actions=actions),
        "filter_form": filter_form,
        "assessment": None,
        "today": timezone.localdate(),
    }
    return render(request, "assessments/action_plan.html", context)


@login_required
def assessment_actions(request, pk: int):
    """One assessment's action plan; officers turn a gap (a question) into an action here."""
    access = selectors.access_assessment(user=request.user, pk=pk, write=request.method == "POST")
    assessment = access.assessment
    members = list(member_list(organisation=assessment.organisation))
    questionnaire = selectors.questionnaire_build(assessment=assessment)
    initial = {}
    if request.GET.get("question", "").isdigit():
        initial["questions"] = [int(request.GET["question"])]
    form = ActionForm(
        request.POST or None,
        members=members,
        questions=_question_choices(questionnaire),
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                action = services.action_create(
                    actor=request.user,
                    organisation=assessment.organisation,
                    assessment=assessment,
                    data=form.action_input(),
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Action created."))
                return redirect("assessments:action_detail", action_pk=action.pk)
        status = 400
    filter_form = ActionFilterForm(request.GET or None, members=members)
    actions = list(selectors.action_list(assessment=assessment, filters=filter_form.filters()))
    context = {
        "access": access,
        "organisation": assessment.organisation,
        "assessment": assessment,
        "actions": actions,
        "counts": selectors.action_status_counts(actions=actions),
        "filter_form": filter_form,
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "assessments/action_plan.html", context, status=status)


@login_required
def action_detail(request, action_pk: int):
    """One action: change its owner, due date and status (risk acceptance needs a reason)."""
    action, member = selectors.access_action(
        user=request.user, pk=action_pk, write=request.method == "POST"
    )
    members = list(member_list(organisation=action.organisation))
    form = ActionUpdateForm(
        request.POST or None,
        members=members,
        initial={
            "status": action.status,
            "risk_justification": action.risk_justification,
            "owner": action.owner_id,
            "due_date": action.due_date,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.action_update(
                    actor=request.user,
                    action=action,
                    data=services.ActionInput(
                        status=data["status"],
                        risk_justification=data["risk_justification"],
                        owner_id=data["owner"],
                        due_date=data["due_date"],
                    ),
                )
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Action saved."))
                return redirect("assessments:action_detail", action_pk=action.pk)
        status = 400
    action = selectors.action_list(organisation=action.organisation).get(pk=action.pk)
    context = {
        "action": action,
        "member": member,
        "form": form,
        "today": timezone.localdate(),
        "upload_error": request.GET.get("upload_error"),
    }
    return render(request, "assessments/action_detail.html", context, status=status)


@login_required
@require_POST
def action_evidence_upload(request, action_pk: int):
    action, _member = selectors.access_action(user=request.user, pk=action_pk, write=True)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": _("Choose a file to upload.")})
        services.action_evidence_upload(actor=request.user, action=action, upload=upload)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessments:action_detail", action_pk=action.pk)
    messages.success(request, _("File attached."))
    return redirect("assessments:action_detail", action_pk=action.pk)


@login_required
def action_evidence_download(request, action_pk: int, evidence_pk: int):
    evidence = selectors.access_action_evidence(
        user=request.user, pk=action_pk, evidence_pk=evidence_pk
    )
    return action_evidence_file_response(
        actor=request.user, action=evidence.action, evidence=evidence
    )


# --- Questionnaire filters and search ----------------------------------------------------------


class QuestionFilterForm(forms.Form):
    unanswered = forms.BooleanField(label=gettext_lazy("Unanswered"), required=False)
    needs_review = forms.BooleanField(label=gettext_lazy("Needs review"), required=False)
    evidence_missing = forms.BooleanField(
        label=gettext_lazy("Evidence expected but missing"), required=False
    )
    assigned_to_me = forms.BooleanField(label=gettext_lazy("Assigned to me"), required=False)
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        required=False,
        choices=[
            ("", gettext_lazy("Any")),
            ("high", gettext_lazy("High")),
            ("medium", gettext_lazy("Medium")),
            ("low", gettext_lazy("Low")),
            ("watch", gettext_lazy("Watch")),
        ],
    )
    text = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)

    def filters(self) -> selectors.QuestionFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.QuestionFilters(
            unanswered=bool(data.get("unanswered")),
            needs_review=bool(data.get("needs_review")),
            evidence_missing=bool(data.get("evidence_missing")),
            assigned_to_me=bool(data.get("assigned_to_me")),
            severity=data.get("severity") or "",
            text=data.get("text") or "",
        )


@login_required
def questions(request, pk: int):
    """The questions of an assessment that pass the chosen filters, answerable in place."""
    access = selectors.access_assessment(user=request.user, pk=pk)
    form = QuestionFilterForm(request.GET or None)
    filters = form.filters()
    questionnaire = selectors.questionnaire_build(assessment=access.assessment)
    blocks = []
    if filters.any:
        blocks = selectors.questionnaire_filter(
            questionnaire=questionnaire,
            filters=filters,
            assigned_ids=selectors.assigned_question_ids(
                assessment=access.assessment, user=request.user
            )
            if filters.assigned_to_me
            else frozenset(),
            matching_ids=selectors.question_search_ids(
                assessment=access.assessment, text=filters.text
            )
            if filters.text.strip()
            else None,
        )
    context = {
        "access": access,
        "assessment": access.assessment,
        "a_url": _assessment_url(access.assessment),
        "q": questionnaire,
        "form": form,
        "filtered": filters.any,
        "blocks": blocks,
        "editable": access.can_write and not access.assessment.is_locked,
    }
    return render(
        request, "assessments/questions.html", context, status=400 if form.errors else 200
    )


# --- A whole section not applicable ------------------------------------------------------------


@login_required
@require_POST
def section_not_applicable(request, pk: int, section_pk: int):
    access = selectors.access_assessment(user=request.user, pk=pk, write=True)
    if access.is_limited:
        raise PermissionDenied("Only officers mark whole sections not applicable.")
    try:
        services.section_not_applicable(
            actor=request.user,
            assessment=access.assessment,
            section_id=section_pk,
            justification=request.POST.get("justification", ""),
        )
    except services.BulkAnswerError as exc:
        messages.error(request, " ".join(e["message"] for e in exc.errors))
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "section" in exc.message_dict:
            raise Http404("No such section.") from None
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The section is marked not applicable."))
    return redirect("assessments:section", pk=pk, section_pk=section_pk)
