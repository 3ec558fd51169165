"""The dashboard, creating an assessment, the assessment page, scoping and sections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assessments import selectors, services
from assessments.forms import AssessmentCreateForm, AssessmentRollForwardForm, ScopingForm
from frameworks.selectors import framework_versions_latest_published
from portal.selectors import MemberAccess, membership_active_get, staff_organisation_list
from portal.templatetags.tekigo import loc

from ._shared import _assessment_url, _language


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
    # All the questionnaires at once: a constant number of queries for 50 assessments (issue 12;
    # one per assessment before, 107 queries at the bench's 50).
    questionnaires = selectors.questionnaire_build_many(assessments=assessments)
    rows = [(a, questionnaires[a.pk].progress) for a in assessments]
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
    # Two forms on one page: a new assessment from scratch, or one that starts from a previous
    # assessment (issue 12); the roll-forward form's fields carry its prefix.
    rolling = request.method == "POST" and f"{ROLL_FORWARD_PREFIX}-previous" in request.POST
    roll_form = AssessmentRollForwardForm(
        request.POST if rolling else None,
        assessments=selectors.assessment_list(organisation=membership.organisation),
        prefix=ROLL_FORWARD_PREFIX,
    )
    form = AssessmentCreateForm(
        request.POST if request.method == "POST" and not rolling else None,
        versions=versions,
        language=_language(),
    )
    if rolling and roll_form.is_valid():
        previous = selectors.access_assessment_for_roll_forward(
            user=request.user,
            pk=roll_form.cleaned_data["previous"],
            organisation_id=membership.organisation_id,
        )
        try:
            result = services.assessment_roll_forward(
                actor=request.user, previous=previous, name=roll_form.cleaned_data["name"]
            )
        except ValidationError as exc:
            _errors_to_form(roll_form, exc)
        else:
            messages.success(request, _roll_forward_message(result, previous))
            return redirect("assessments:detail", pk=result.assessment.pk)
    elif not rolling and request.method == "POST" and form.is_valid():
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
    context = {"form": form, "roll_form": roll_form, "membership": membership}
    return render(request, "assessments/create.html", context, status=status)


ROLL_FORWARD_PREFIX = "rollforward"


def _roll_forward_message(result: services.RollForwardResult, previous) -> str:
    message = _(
        "Assessment created from “%(previous)s”: %(answers)d answers to re-confirm, "
        "%(evidence)d files linked, %(actions)d open actions carried over."
    ) % {
        "previous": previous.name,
        "answers": result.answers,
        "evidence": result.evidence,
        "actions": result.actions,
    }
    if result.not_carried:
        message += " " + _(
            "%(n)d answers were not carried over: their question changed or no longer exists."
        ) % {"n": len(result.not_carried)}
    return message


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
        "missing": selectors.missing_answer_list(questionnaire=questionnaire)
        if show_missing
        else None,
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
        return _section_moved(request, access, section_pk)
    framework = next(f for f in questionnaire.frameworks if top in f.sections)
    context = {
        "access": access,
        "assessment": access.assessment,
        "a_url": _assessment_url(access.assessment),
        "q": questionnaire,
        "framework": framework,
        "top": top,
        "editable": access.can_edit,
        "first_question": selectors.section_first_question_get(section=top),  # the skip link
    }
    return render(request, "assessments/section.html", context)


def _section_moved(request, access, section_pk: int):
    """An old link to a section of a version the assessment no longer pins (bookmarks, e-mails,
    review threads from before an upgrade): to the same section in the pinned version, or to the
    assessment page with a message when that version dropped it. Issue 12: never a 404 for a
    member; anything else is the same 404 as a missing section."""
    move = selectors.section_move_get(assessment=access.assessment, section_id=section_pk)
    if move is None:
        raise Http404("No such section.")
    if move.section is not None:
        return redirect("assessments:section", pk=access.assessment.pk, section_pk=move.section.pk)
    messages.info(
        request,
        _(
            "The section “%(section)s” is not in version %(version)s of %(framework)s, which "
            "this assessment now uses: choose a section below."
        )
        % {
            "section": " ".join(filter(None, [move.old.ref, loc(move.old, "title")])),
            "version": move.pin.version.version,
            "framework": loc(move.pin.version, "short_name"),
        },
    )
    return redirect("assessments:detail", pk=access.assessment.pk)
