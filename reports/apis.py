"""Report API: ask for a report, follow its status, download and verify it."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.selectors import access_assessment
from portal.api.schema import ERRORS
from reports import selectors, services
from reports.downloads import report_file_response
from reports.models import Report, ReportLanguage, SignOff


class ReportOutput(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = [
            "id",
            "organisation",
            "assessment",
            "language",
            "status",
            "snapshot_sha256",
            "requested_at",
            "dispatched_at",
            "started_at",
            "finished_at",
            "failure_reason",
            "pdf_sha256",
            "pdf_size",
            "pages",
            "approved",
        ]

    #: True only for the report whose snapshot the live sign-off names (reports.selectors).
    approved = serializers.BooleanField(read_only=True, default=False)


class ReportInput(serializers.Serializer):
    language = serializers.ChoiceField(choices=ReportLanguage.choices)


class ReportListApi(generics.ListAPIView):
    """GET: the assessment's reports. POST: request one (limited per organisation: it costs
    worker time; 429 with Retry-After beyond the limit)."""

    serializer_class = ReportOutput
    organisation_throttle_scope = "reports"

    def throttle_organisation_id(self, request) -> int:
        return access_assessment(user=request.user, pk=self.kwargs["pk"]).assessment.organisation_id

    @extend_schema(responses={200: ReportOutput(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    filterset_fields = ["status", "language"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.serializer_class.Meta.model.objects.none()
        access = access_assessment(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.report_list(assessment=access.assessment)

    @extend_schema(request=ReportInput, responses={202: ReportOutput, **ERRORS})
    def post(self, request, pk: int):
        """Freeze the analysis now and queue the PDF; follow ``status`` until it is ``ready``."""
        access = access_assessment(user=request.user, pk=pk)
        if not access.can_request_report:
            raise PermissionDenied("You may not request reports of this assessment.")
        data = ReportInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_request(
            actor=request.user,
            assessment=access.assessment,
            language=data.validated_data["language"],
        )
        return Response(ReportOutput(report).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(responses={200: ReportOutput, **ERRORS})
class ReportDetailApi(APIView):
    def get(self, request, pk: int):
        return Response(ReportOutput(selectors.access_report(user=request.user, pk=pk)).data)


@extend_schema(
    responses={
        (200, "application/pdf"): OpenApiResponse(bytes, description="The report as issued."),
        **ERRORS,
    }
)
class ReportDownloadApi(APIView):
    def get(self, request, pk: int):
        return report_file_response(
            actor=request.user, report=selectors.access_report(user=request.user, pk=pk)
        )


class VerifyOutput(serializers.Serializer):
    issued = serializers.BooleanField()
    report = ReportOutput(allow_null=True)


@extend_schema(
    parameters=[OpenApiParameter("sha256", str, required=True)],
    responses={200: VerifyOutput, **ERRORS},
)
class ReportVerifyApi(APIView):
    def get(self, request):
        sha256 = request.query_params.get("sha256", "")
        if not selectors.SHA256_PATTERN.match(sha256):
            raise ValidationError({"sha256": "Give a SHA-256 of 64 hexadecimal characters."})
        report = selectors.report_verify_get(user=request.user, sha256=sha256)
        return Response(
            {"issued": report is not None, "report": ReportOutput(report).data if report else None}
        )


# --- Approval --------------------------------------------------------------------------------


class ApproveInput(serializers.Serializer):
    statement = serializers.CharField(max_length=2000)
    language = serializers.ChoiceField(choices=ReportLanguage.choices)
    revision = serializers.IntegerField(required=False, min_value=0, max_value=2**31)


class SignOffOutput(serializers.ModelSerializer):
    report = ReportOutput()

    class Meta:
        model = SignOff
        fields = [
            "id",
            "report",
            "snapshot_sha256",
            "approver_name",
            "approver_role",
            "statement",
            "approved_at",
            "voided_at",
            "void_reason",
        ]


@extend_schema(request=ApproveInput, responses={201: SignOffOutput, **ERRORS})
class AssessmentApproveApi(APIView):
    """Approve a submitted assessment: 403 for officers and for the person who submitted it,
    409 when it is not in review or has open queries. The sign-off names the SHA-256 of the
    report snapshot made in the same step; that report renders like any other."""

    def post(self, request, pk: int):
        access = access_assessment(user=request.user, pk=pk, review=True)
        data = ApproveInput(data=request.data)
        data.is_valid(raise_exception=True)
        signoff = services.assessment_approve(
            actor=request.user,
            assessment=access.assessment,
            statement=data.validated_data["statement"],
            language=data.validated_data["language"],
            expected_revision=data.validated_data.get("revision"),
        )
        signoff.report = selectors.access_report(user=request.user, pk=signoff.report_id)
        return Response(SignOffOutput(signoff).data, status=status.HTTP_201_CREATED)


class ReopenApprovedInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    revision = serializers.IntegerField(required=False, min_value=0, max_value=2**31)


@extend_schema(request=ReopenApprovedInput, responses={200: SignOffOutput, **ERRORS})
class AssessmentReopenApprovedApi(APIView):
    """Reopen an approved assessment with a reason (officers): the sign-off is voided."""

    def post(self, request, pk: int):
        access = access_assessment(user=request.user, pk=pk, write=True)
        data = ReopenApprovedInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.assessment_reopen_approved(
            actor=request.user,
            assessment=access.assessment,
            reason=data.validated_data["reason"],
            expected_revision=data.validated_data.get("revision"),
        )
        signoff = (
            SignOff.objects.filter(report__assessment=access.assessment).order_by("-id").first()
        )
        return Response(SignOffOutput(signoff).data if signoff else None)
