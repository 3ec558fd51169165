"""Assignments, the assessment plan and My work."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import selectors, services
from portal.selectors import member_list

from ._shared import _assessment_url, _language
from .pages import _errors_to_form

# --- Assignments and "My work" -----------------------------------------------------------------


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
