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
from reports.models import Report, ReportLanguage


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
        ]


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
