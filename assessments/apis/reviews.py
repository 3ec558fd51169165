"""Auditor review through the API."""

from __future__ import annotations

from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors, services
from assessments.models import (
    OPEN_REVIEW_STATUSES,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
)
from portal.api.schema import ERRORS

from ._shared import _access, _detail
from .serializers import AssessmentOutput, RevisionInput

# --- Reviews ---------------------------------------------------------------------------------


class ReturnInput(RevisionInput):
    reason = serializers.CharField(max_length=2000)


@extend_schema(request=ReturnInput, responses={200: AssessmentOutput, **ERRORS})
class AssessmentReturnApi(APIView):
    """An auditor returns a submitted assessment to the officer, with a reason (409 otherwise)."""

    def post(self, request, pk: int):
        access = _access(request, pk, review=True)
        data = ReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assessment_return(
            actor=request.user,
            assessment=access.assessment,
            reason=data.validated_data["reason"],
            expected_revision=data.validated_data.get("revision"),
        )
        return Response(_detail(assessment))


class QuestionReviewOutput(serializers.ModelSerializer):
    question = serializers.IntegerField(source="question_id")
    question_urn = serializers.CharField(source="question.urn")
    updated_by = serializers.CharField(source="updated_by.username", default=None)

    class Meta:
        model = QuestionReview
        fields = ["id", "question", "question_urn", "status", "updated_by", "updated_at"]


class QuestionReviewInput(serializers.Serializer):
    question = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class QuestionReviewFilter(filters.FilterSet):
    open = filters.BooleanFilter(method="filter_open", label="only queries and rejections")

    class Meta:
        model = QuestionReview
        fields = ["status", "question"]

    def filter_open(self, queryset, name, value):
        return queryset.filter(status__in=OPEN_REVIEW_STATUSES) if value else queryset


class QuestionReviewListApi(generics.ListAPIView):
    """The auditor's verdicts (``?open=true``: the open queries); POST sets one (auditors only)."""

    serializer_class = QuestionReviewOutput
    filterset_class = QuestionReviewFilter

    @extend_schema(responses={200: QuestionReviewOutput(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return QuestionReview.objects.none()
        access = _access(self.request, self.kwargs["pk"])
        return selectors.question_review_list(assessment=access.assessment)

    @extend_schema(request=QuestionReviewInput, responses={200: QuestionReviewOutput, **ERRORS})
    def post(self, request, pk: int):
        access = _access(request, pk, review=True)
        data = QuestionReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        question = _review_question(access, data.validated_data["question"])
        review = services.question_review_set(
            actor=request.user,
            assessment=access.assessment,
            question=question,
            status=data.validated_data["status"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(QuestionReviewOutput(review).data)


def _review_question(access, question_id: int):
    try:
        return selectors.access_question(assessment=access.assessment, pk=question_id)
    except Http404:
        raise ValidationError(
            {"question": "This question is not part of the assessment."}
        ) from None


class ReviewCommentOutput(serializers.ModelSerializer):
    question = serializers.IntegerField(source="question_id")

    class Meta:
        model = ReviewComment
        fields = ["id", "question", "author_name", "text", "resolves", "created_at"]


class ReviewCommentInput(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)


class ReviewCommentListApi(generics.ListAPIView):
    """One question's review thread; POST adds a reply (officers) or a follow-up (auditors)."""

    serializer_class = ReviewCommentOutput

    @extend_schema(responses={200: ReviewCommentOutput(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReviewComment.objects.none()
        access = _access(self.request, self.kwargs["pk"])
        question = selectors.access_question(
            assessment=access.assessment, pk=self.kwargs["question_pk"]
        )
        return selectors.review_comment_list(assessment=access.assessment, question=question)

    @extend_schema(request=ReviewCommentInput, responses={201: ReviewCommentOutput, **ERRORS})
    def post(self, request, pk: int, question_pk: int):
        access = _access(request, pk)
        question = selectors.access_question(assessment=access.assessment, pk=question_pk)
        data = ReviewCommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.review_comment_add(
            actor=request.user,
            assessment=access.assessment,
            question=question,
            text=data.validated_data["text"],
        )
        return Response(ReviewCommentOutput(comment).data, status=status.HTTP_201_CREATED)


class ReviewResolveInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


@extend_schema(request=ReviewResolveInput, responses={200: QuestionReviewOutput, **ERRORS})
class ReviewResolveApi(APIView):
    """The auditor accepts the answer and closes its open query (409 when none is open)."""

    def post(self, request, pk: int, question_pk: int):
        access = _access(request, pk, review=True)
        question = selectors.access_question(assessment=access.assessment, pk=question_pk)
        data = ReviewResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_resolve(
            actor=request.user,
            assessment=access.assessment,
            question=question,
            comment=data.validated_data.get("text", ""),
        )
        return Response(QuestionReviewOutput(review).data)
