"""Remediation actions: the action plans and one action."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import selectors, services
from assessments.downloads import action_evidence_file_response
from assessments.models import ActionStatus
from portal.selectors import MemberAccess, member_list, membership_active_get

from ._shared import _language
from .pages import _errors_to_form

# --- Remediation actions -----------------------------------------------------------------------


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
