"""Comments and the whole questionnaire in one read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors
from assessments.models import (
    Answer,
)
from portal.api.schema import ERRORS

from ._shared import _access
from .serializers import AnswerValueField


class CommentOutput(serializers.ModelSerializer):
    question = serializers.IntegerField(source="question_id")
    question_urn = serializers.CharField(source="question.urn")
    updated_by = serializers.CharField(source="updated_by.username", default=None)

    class Meta:
        model = Answer
        fields = ["question", "question_urn", "comment", "updated_by", "updated_at", "revision"]


@extend_schema(responses={200: CommentOutput(many=True), **ERRORS})
class CommentListApi(generics.ListAPIView):
    """Every comment on the assessment's current answers. Comments are written with the answers
    (``POST .../answers/`` with ``comment``), so each change is versioned and audited with them."""

    serializer_class = CommentOutput
    filterset_fields = ["question", "needs_review"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Answer.objects.none()
        access = _access(self.request, self.kwargs["pk"])
        return selectors.answer_list(assessment=access.assessment, with_comment=True)


class ProgressOutput(serializers.Serializer):
    answered = serializers.IntegerField()
    applicable = serializers.IntegerField()


class QuestionChoiceOutput(serializers.Serializer):
    key = serializers.CharField()
    label_ja = serializers.CharField()
    label_en = serializers.CharField()
    score = serializers.FloatField()


class QuestionnaireAnswerOutput(serializers.Serializer):
    value = AnswerValueField(allow_null=True)
    comment = serializers.CharField()
    not_applicable = serializers.BooleanField()
    justification = serializers.CharField()
    needs_review = serializers.BooleanField()
    revision = serializers.IntegerField()


class QuestionnaireEvidenceOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    sha256 = serializers.CharField()


class QuestionnaireQuestionOutput(serializers.Serializer):
    """One question as the officer sees it (``visible``: its parent question allows it)."""

    id = serializers.IntegerField(source="question.pk")
    urn = serializers.CharField(source="question.urn")
    type = serializers.CharField(source="question.type")
    prompt_ja = serializers.CharField(source="question.prompt_ja")
    prompt_en = serializers.CharField(source="question.prompt_en")
    choices = QuestionChoiceOutput(source="question.choices", many=True)
    required = serializers.BooleanField(source="question.required")
    visible = serializers.BooleanField()
    answer = QuestionnaireAnswerOutput(allow_null=True)
    evidence = QuestionnaireEvidenceOutput(many=True)


class QuestionnaireProvisionOutput(serializers.Serializer):
    """A provision and whether it applies to the assessment's scope, with the reasons."""

    urn = serializers.CharField(source="provision.urn")
    ref = serializers.CharField(source="provision.ref")
    title_ja = serializers.CharField(source="provision.title_ja")
    title_en = serializers.CharField(source="provision.title_en")
    strength = serializers.CharField(source="provision.strength")
    applies = serializers.BooleanField(source="applicability.applies")
    reasons_en = serializers.ListField(
        child=serializers.CharField(), source="applicability.reasons_en"
    )
    reasons_ja = serializers.ListField(
        child=serializers.CharField(), source="applicability.reasons_ja"
    )
    questions = QuestionnaireQuestionOutput(many=True)


class QuestionnaireSectionOutput(serializers.Serializer):
    """A section with its provisions and its sub-sections (``children``, the same shape)."""

    key = serializers.CharField(source="section.key")
    ref = serializers.CharField(source="section.ref")
    title_ja = serializers.CharField(source="section.title_ja")
    title_en = serializers.CharField(source="section.title_en")
    progress = ProgressOutput()
    provisions = QuestionnaireProvisionOutput(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["children"] = QuestionnaireSectionOutput(many=True)  # sections nest
        return fields


class QuestionnaireFrameworkOutput(serializers.Serializer):
    framework = serializers.CharField(source="pin.framework.urn")
    version = serializers.CharField(source="pin.version.version")
    legal_status = serializers.CharField(source="pin.version.legal_status")
    progress = ProgressOutput()
    sections = QuestionnaireSectionOutput(many=True)


class QuestionnaireOutput(serializers.Serializer):
    assessment = serializers.IntegerField(source="assessment.pk")
    progress = ProgressOutput()
    frameworks = QuestionnaireFrameworkOutput(many=True)


@extend_schema(responses={200: QuestionnaireOutput, **ERRORS})
class QuestionnaireApi(APIView):
    """The whole assessment in one response: every section, provision (with why it applies),
    question and answer. A constant number of queries whatever its size."""

    def get(self, request, pk: int):
        access = _access(request, pk)
        questionnaire = selectors.questionnaire_build(assessment=access.assessment)
        return Response(QuestionnaireOutput(questionnaire).data)
