"""Assessments: list, detail, scoping, submit, reopen and upgrade."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors, services
from assessments.models import (
    Assessment,
)
from portal.api.errors import Conflict
from portal.api.fields import ID_MAX
from portal.api.schema import ERRORS

from ._shared import _access, _detail
from .serializers import (
    AssessmentCreateInput,
    AssessmentOutput,
    ReasonInput,
    RevisionInput,
    ScopingInput,
    UpgradeInput,
)

# --- Views -----------------------------------------------------------------------------------


class AssessmentFilter(filters.FilterSet):
    organisation = filters.NumberFilter(field_name="organisation", max_value=ID_MAX, min_value=0)

    class Meta:
        model = Assessment
        fields = ["organisation", "status"]


class AssessmentListApi(generics.ListAPIView):
    """GET: the assessments of every organisation the caller belongs to. POST: create one, from
    scratch or from a ``previous`` assessment (roll-forward)."""

    serializer_class = AssessmentOutput
    filterset_class = AssessmentFilter
    ordering_fields = ["updated_at", "created_at", "name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assessment.objects.none()
        return selectors.assessment_list(user=self.request.user)

    @extend_schema(responses={200: AssessmentOutput(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=AssessmentCreateInput, responses={201: AssessmentOutput, **ERRORS})
    def post(self, request):
        data = AssessmentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        if "previous" in data.validated_data:
            previous = selectors.access_assessment_for_roll_forward(
                user=request.user,
                pk=data.validated_data["previous"],
                organisation_id=data.validated_data["organisation"],
            )
            result = services.assessment_roll_forward(
                actor=request.user, previous=previous, name=data.validated_data["name"]
            )
            return Response(_detail(result.assessment), status=status.HTTP_201_CREATED)
        membership = selectors.access_organisation_for_create(
            user=request.user, organisation_id=data.validated_data["organisation"]
        )
        assessment = services.assessment_create_from_urns(
            actor=request.user,
            organisation=membership.organisation,
            name=data.validated_data["name"],
            framework_urns=data.validated_data["frameworks"],
            scoping=data.validated_data["scoping"],
        )
        return Response(_detail(assessment), status=status.HTTP_201_CREATED)


@extend_schema(responses={200: AssessmentOutput, **ERRORS})
class AssessmentDetailApi(APIView):
    def get(self, request, pk: int):
        return Response(_detail(_access(request, pk).assessment))


@extend_schema(request=ScopingInput, responses={200: AssessmentOutput, **ERRORS})
class AssessmentScopingApi(APIView):
    def put(self, request, pk: int):
        access = _access(request, pk, write=True)
        data = ScopingInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assessment_scoping_update(
            actor=request.user,
            assessment=access.assessment,
            scoping=data.validated_data["scoping"],
            expected_revision=data.validated_data.get("revision"),
        )
        return Response(_detail(assessment))


@extend_schema(request=RevisionInput, responses={200: AssessmentOutput, **ERRORS})
class AssessmentSubmitApi(APIView):
    def post(self, request, pk: int):
        access = _access(request, pk, write=True)
        data = RevisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            assessment = services.assessment_submit(
                actor=request.user,
                assessment=access.assessment,
                expected_revision=data.validated_data.get("revision"),
            )
        except services.AssessmentIncompleteError as exc:
            raise ValidationError(
                {
                    f"questions[{b.question.pk}]": "Required question not answered yet."
                    for b in exc.missing
                }
            ) from None
        return Response(_detail(assessment))


@extend_schema(request=ReasonInput, responses={200: AssessmentOutput, **ERRORS})
class AssessmentReopenApi(APIView):
    """Withdraw a submitted assessment from review (``reason`` optional). An approved one is
    reopened with ``POST .../approval/reopen/``, which voids its sign-off."""

    def post(self, request, pk: int):
        access = _access(request, pk, write=True)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assessment_reopen(
            actor=request.user,
            assessment=access.assessment,
            reason=data.validated_data.get("reason", ""),
            expected_revision=data.validated_data.get("revision"),
        )
        return Response(_detail(assessment))


@extend_schema(request=UpgradeInput, responses={200: AssessmentOutput, **ERRORS})
class AssessmentUpgradeApi(APIView):
    def post(self, request, pk: int):
        access = _access(request, pk, write=True)
        data = UpgradeInput(data=request.data)
        data.is_valid(raise_exception=True)
        pin = selectors.pin_get(
            assessment=access.assessment, framework_urn=data.validated_data["framework"]
        )
        if pin is None:
            raise ValidationError({"framework": "This framework is not part of the assessment."})
        target = selectors.framework_version_upgrade_target(pin=pin)
        if target is None:
            raise Conflict("Already at the newest published version.")
        assessment = services.assessment_upgrade(
            actor=request.user, assessment=access.assessment, pin=pin, target=target
        )
        return Response(_detail(assessment))
