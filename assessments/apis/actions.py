"""Remediation actions through the API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors, services
from assessments.models import Action, ActionStatus
from portal.api.schema import ERRORS
from portal.selectors import access_member, organisation_ids_readable

# --- Remediation actions ---------------------------------------------------------------------


class ActionOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)
    risk_approver = serializers.CharField(
        source="risk_approver.username", allow_null=True, default=None
    )
    provisions = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue")
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "organisation",
            "assessment",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "overdue",
            "risk_justification",
            "risk_approver",
            "provisions",
            "questions",
            "evidence",
            "created_at",
            "updated_at",
            "closed_at",
        ]

    def get_provisions(self, action) -> list[str]:
        return [p.urn for p in action.provisions.all()]

    def get_questions(self, action) -> list[int]:
        return [q.pk for q in action.questions.all()]

    def get_evidence(self, action) -> list[dict]:
        return [
            {"id": e.pk, "name": e.original_name, "sha256": e.sha256} for e in action.evidence.all()
        ]


class ActionWriteInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.IntegerField(required=False, help_text="user id of a member")
    due_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    risk_justification = serializers.CharField(required=False, allow_blank=True)
    provisions = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=200
    )
    questions = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=200
    )

    def action_input(self) -> services.ActionInput:
        data = self.validated_data
        return services.ActionInput(
            title=data.get("title"),
            description=data.get("description"),
            owner_id=data.get("owner"),
            due_date=data.get("due_date"),
            status=data.get("status"),
            risk_justification=data.get("risk_justification"),
            provision_ids=data.get("provisions"),
            question_ids=data.get("questions"),
        )


class ActionCreateInput(ActionWriteInput):
    title = serializers.CharField(max_length=200)
    organisation = serializers.IntegerField(required=False)
    assessment = serializers.IntegerField(required=False)


def _action_out(action: Action) -> dict:
    return ActionOutput(
        selectors.action_list(organisation=action.organisation).get(pk=action.pk)
    ).data


class ActionListApi(generics.ListAPIView):
    """Remediation actions of the caller's organisations (overdue first). POST turns a gap into one:
    give ``assessment`` (its organisation is used) or ``organisation``."""

    serializer_class = ActionOutput
    filterset_fields = ["organisation", "assessment", "status", "owner"]

    @extend_schema(responses={200: ActionOutput(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        actions = selectors.action_list().filter(
            organisation_id__in=organisation_ids_readable(user=self.request.user)
        )
        overdue = self.request.query_params.get("overdue")
        return actions.filter(is_overdue=1) if overdue in ("1", "true") else actions

    @extend_schema(request=ActionCreateInput, responses={201: ActionOutput, **ERRORS})
    def post(self, request):
        data = ActionCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = None
        if data.validated_data.get("assessment") is not None:
            access = selectors.access_assessment(
                user=request.user, pk=data.validated_data["assessment"], write=True
            )
            assessment, organisation = access.assessment, access.assessment.organisation
        elif data.validated_data.get("organisation") is not None:
            member = access_member(
                user=request.user, organisation_id=data.validated_data["organisation"]
            )
            if not member.can_write:
                raise PermissionDenied("Only officers plan actions.")
            organisation = member.membership.organisation
        else:
            raise ValidationError({"assessment": "Give an assessment or an organisation."})
        action = services.action_create(
            actor=request.user,
            organisation=organisation,
            assessment=assessment,
            data=data.action_input(),
        )
        return Response(_action_out(action), status=status.HTTP_201_CREATED)


class ActionDetailApi(APIView):
    @extend_schema(responses={200: ActionOutput, **ERRORS})
    def get(self, request, pk: int):
        action, _member = selectors.access_action(user=request.user, pk=pk)
        return Response(_action_out(action))

    @extend_schema(request=ActionWriteInput, responses={200: ActionOutput, **ERRORS})
    def patch(self, request, pk: int):
        action, _member = selectors.access_action(user=request.user, pk=pk, write=True)
        data = ActionWriteInput(data=request.data)
        data.is_valid(raise_exception=True)
        action = services.action_update(actor=request.user, action=action, data=data.action_input())
        return Response(_action_out(action))
