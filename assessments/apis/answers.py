"""Answers, evidence and history."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors, services
from assessments.downloads import evidence_file_response
from assessments.evidence_files import ALLOWED as EVIDENCE_TYPES
from assessments.models import (
    Answer,
    Evidence,
)
from portal.api.fields import ID_MAX
from portal.api.schema import ERRORS
from portal.models import AuditEvent

from ._shared import _access
from .serializers import AnswerOutput, BulkAnswerInput, EvidenceInput, EvidenceOutput, HistoryOutput


class AnswerFilter(filters.FilterSet):
    question = filters.NumberFilter(field_name="question", min_value=0, max_value=ID_MAX)
    question_urn = filters.CharFilter(field_name="question__urn")
    has_comment = filters.BooleanFilter(method="_has_comment")

    class Meta:
        model = Answer
        fields = ["question", "not_applicable", "needs_review"]

    def _has_comment(self, queryset, name, value):
        return queryset.exclude(comment="") if value else queryset.filter(comment="")


class AnswerListApi(generics.ListAPIView):
    """GET: the current answers. POST: save many answers at once, all or nothing.

    A bulk save may carry a whole assessment, so its body may be larger than other requests'.
    A contributor reads and answers only the questions assigned to them.
    """

    serializer_class = AnswerOutput
    filterset_class = AnswerFilter
    max_body_bytes = 20 * 1024 * 1024  # 1000 items with long comments (see tests/api)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Answer.objects.none()
        access = selectors.access_assessment(
            user=self.request.user, pk=self.kwargs["pk"], limited=True
        )
        answers = selectors.answer_list(assessment=access.assessment)
        if access.is_limited:
            answers = answers.filter(question_id__in=access.question_ids)
        return answers

    @extend_schema(responses={200: AnswerOutput(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=BulkAnswerInput,
        responses={
            200: OpenApiResponse(
                AnswerOutput(many=True),
                description="The saved answers (changed or unchanged), not paginated.",
            ),
            **ERRORS,
        },
    )
    def post(self, request, pk: int):
        access = selectors.access_assessment(user=request.user, pk=pk, write=True, limited=True)
        data = BulkAnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        if access.is_limited and any(
            not access.may_answer(item["question"]) for item in data.validated_data["items"]
        ):
            raise NotFound("No such question.")  # as for a missing one
        items = [
            (
                item["question"],
                services.AnswerInput(
                    value=item.get("value"),
                    comment=item.get("comment", ""),
                    not_applicable=item.get("not_applicable", False),
                    justification=item.get("justification", ""),
                    revision=item.get("revision"),
                ),
            )
            for item in data.validated_data["items"]
        ]
        try:
            saved = services.answers_bulk_save(
                actor=request.user, assessment=access.assessment, items=items
            )
        except services.BulkAnswerError as exc:
            body = {
                "errors": [
                    {"field": f"items[{e.index}].{e.field}", "message": e.message, "code": e.code}
                    for e in exc.errors
                ]
            }
            code = status.HTTP_409_CONFLICT if exc.is_conflict else status.HTTP_400_BAD_REQUEST
            return Response(body, status=code)
        return Response(AnswerOutput(saved, many=True).data)


@extend_schema(responses={200: EvidenceOutput(many=True), **ERRORS})
class EvidenceListApi(generics.ListAPIView):
    """GET: the files attached to the answer to one question. POST: upload one (multipart)."""

    serializer_class = EvidenceOutput
    parser_classes = [MultiPartParser]
    filterset_fields = ["content_type", "sha256"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Evidence.objects.none()
        access = selectors.access_assessment(
            user=self.request.user, pk=self.kwargs["pk"], question_id=self.kwargs["question_pk"]
        )
        question = selectors.access_question(
            assessment=access.assessment, pk=self.kwargs["question_pk"]
        )
        return selectors.evidence_list(assessment=access.assessment, question=question)

    @extend_schema(
        request={"multipart/form-data": EvidenceInput}, responses={201: EvidenceOutput, **ERRORS}
    )
    def post(self, request, pk: int, question_pk: int):
        access = selectors.access_assessment(
            user=request.user, pk=pk, write=True, question_id=question_pk
        )
        question = selectors.access_question(assessment=access.assessment, pk=question_pk)
        data = EvidenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = services.evidence_upload(
            actor=request.user,
            assessment=access.assessment,
            question_id=question.pk,
            upload=data.validated_data["file"],
        )
        return Response(EvidenceOutput(evidence).data, status=status.HTTP_201_CREATED)


#: Every media type an evidence file may be served with (the accepted upload types).
EVIDENCE_MEDIA_TYPES = sorted({content_type for content_type, _magic in EVIDENCE_TYPES.values()})


@extend_schema(
    responses={
        **{
            (200, media_type): OpenApiResponse(bytes, description="The file as uploaded.")
            for media_type in EVIDENCE_MEDIA_TYPES
        },
        **ERRORS,
    }
)
class EvidenceDownloadApi(APIView):
    def get(self, request, pk: int, evidence_pk: int):
        access, evidence = selectors.access_assessment_evidence(
            user=request.user, pk=pk, evidence_pk=evidence_pk
        )
        return evidence_file_response(
            actor=request.user, assessment=access.assessment, evidence=evidence
        )


@extend_schema(responses={200: HistoryOutput(many=True), **ERRORS})
class HistoryListApi(generics.ListAPIView):
    serializer_class = HistoryOutput
    filterset_fields = ["event_type", "subject"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return AuditEvent.objects.none()
        access = _access(self.request, self.kwargs["pk"])
        return selectors.assessment_history_list(assessment=access.assessment)
