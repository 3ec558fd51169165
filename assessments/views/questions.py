"""The filtered, searchable list of questions."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from assessments import selectors

from ._shared import _assessment_url

# --- Questionnaire filters and search ----------------------------------------------------------


class QuestionFilterForm(forms.Form):
    unanswered = forms.BooleanField(label=gettext_lazy("Unanswered"), required=False)
    needs_review = forms.BooleanField(label=gettext_lazy("Needs review"), required=False)
    open_query = forms.BooleanField(label=gettext_lazy("Open query"), required=False)
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
            open_query=bool(data.get("open_query")),
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
            open_query_ids=selectors.open_query_question_ids(assessment=access.assessment)
            if filters.open_query
            else frozenset(),
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
