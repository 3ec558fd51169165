"""Assessment API: the same access selectors and services as the pages."""

from __future__ import annotations

from typing import get_args

from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors, services
from assessments.downloads import evidence_file_response
from assessments.evidence_files import ALLOWED as EVIDENCE_TYPES
from assessments.models import (
    OPEN_REVIEW_STATUSES,
    Answer,
    Assessment,
    AssessmentFramework,
    Evidence,
    QuestionReview,
    ReviewComment,
    ReviewStatus,
)
from assessments.scoping import RoleCode, ScopingProfile
from portal.api.errors import Conflict, field_path
from portal.api.fields import ID_MAX, IdField
from portal.api.schema import ERRORS
from portal.models import AuditEvent
from portal.selectors import organisation_ids_readable

# --- Serializers -----------------------------------------------------------------------------


class _ScopingBase(serializers.Serializer):
    """A scoping profile (:class:`assessments.scoping.ScopingProfile`); the fields below are
    generated from it for the schema, the validation is the profile's own."""

    def to_internal_value(self, data):
        from pydantic import ValidationError as PydanticError

        if not isinstance(data, dict):
            raise ValidationError({"non_field_errors": ["Give the scoping as an object."]})
        try:
            profile = ScopingProfile.model_validate(data)
        except PydanticError as exc:
            raise ValidationError(
                {field_path(e["loc"]) or "non_field_errors": [e["msg"]] for e in exc.errors()}
            ) from None
        if not profile.roles:  # as the scoping form (and the service) refuse it
            raise ValidationError({"roles": [_("Choose at least one role.")]})
        return profile

    def to_representation(self, value):
        return ScopingProfile.model_validate(value or {}).model_dump()


def _scoping_fields() -> dict[str, serializers.Field]:
    fields: dict[str, serializers.Field] = {}
    for name, info in ScopingProfile.model_fields.items():
        if name == "roles":
            fields[name] = serializers.ListField(
                child=serializers.ChoiceField(choices=list(get_args(RoleCode))),
                help_text="at least one role",
            )
        elif info.annotation in (bool, "bool"):
            fields[name] = serializers.BooleanField(required=False, default=False)
        elif get_args(info.annotation) and all(
            isinstance(a, str) for a in get_args(info.annotation)
        ):
            # A choice fact (a Literal of strings), e.g. how a generative-AI vendor uses the data.
            fields[name] = serializers.ChoiceField(
                choices=list(get_args(info.annotation)), required=False, default=info.default
            )
        else:
            fields[name] = serializers.IntegerField(
                required=False, allow_null=True, min_value=0, max_value=10**15
            )
    return fields


#: The scoping profile as a typed component, ``Scoping``, built from the one profile model.
Scoping = type(
    "Scoping",
    (_ScopingBase,),
    {
        "__module__": __name__,
        "__doc__": "What the organisation does with AI and personal information: decides which "
        "provisions apply. At least one role.",
        **_scoping_fields(),
    },
)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {"type": "number"},
            {"type": "array", "items": {"type": "string"}},
        ],
        "nullable": True,
        "description": (
            "A choice key (yes_no_partial, single_choice), a list of keys (multiple_choice), "
            "text, a number, or a date as YYYY-MM-DD; null when not answered"
        ),
    },
    component_name="AnswerValue",
)
class AnswerValueField(serializers.JSONField):
    """An answer's value; its shape depends on the question type (checked by the service)."""


class PinOutput(serializers.ModelSerializer):
    framework = serializers.CharField(source="framework.urn")
    version = serializers.CharField(source="version.version")
    version_id = serializers.IntegerField()
    legal_status = serializers.CharField(source="version.legal_status")

    class Meta:
        model = AssessmentFramework
        fields = ["framework", "version", "version_id", "legal_status"]


class AssessmentOutput(serializers.ModelSerializer):
    frameworks = PinOutput(source="pins", many=True)
    scoping = Scoping()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "organisation",
            "name",
            "status",
            "revision",
            "scoping",
            "frameworks",
            "created_at",
            "updated_at",
            "submitted_at",
        ]


class AssessmentCreateInput(serializers.Serializer):
    organisation = IdField()
    name = serializers.CharField(max_length=200)
    frameworks = serializers.ListField(
        child=serializers.CharField(max_length=200),
        min_length=1,
        max_length=50,
        help_text="framework URNs; the latest published version of each is pinned",
    )
    scoping = Scoping()


class ScopingInput(serializers.Serializer):
    scoping = Scoping()
    revision = serializers.IntegerField(required=False, min_value=0, max_value=2**31)


class RevisionInput(serializers.Serializer):
    revision = serializers.IntegerField(required=False, min_value=0, max_value=2**31)


class ReasonInput(RevisionInput):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class UpgradeInput(serializers.Serializer):
    framework = serializers.CharField(
        max_length=200,
        help_text="URN of the pinned framework to move to its newest published version",
    )


class AnswerOutput(serializers.ModelSerializer):
    question = serializers.IntegerField(source="question_id")
    question_urn = serializers.CharField(source="question.urn")
    value = AnswerValueField(allow_null=True)

    class Meta:
        model = Answer
        fields = [
            "id",
            "question",
            "question_urn",
            "value",
            "not_applicable",
            "justification",
            "comment",
            "needs_review",
            "revision",
            "updated_at",
        ]


class AnswerItemInput(serializers.Serializer):
    question = IdField()
    value = AnswerValueField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    not_applicable = serializers.BooleanField(required=False, default=False)
    justification = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    revision = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=2**31,
        help_text="the answer revision you last saw; 0 for a new answer; omit to overwrite",
    )


class BulkAnswerInput(serializers.Serializer):
    items = AnswerItemInput(many=True, allow_empty=False, max_length=1000)


class EvidenceOutput(serializers.ModelSerializer):
    question = serializers.IntegerField(source="answer.question_id")

    class Meta:
        model = Evidence
        fields = [
            "id",
            "question",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
        ]


class EvidenceInput(serializers.Serializer):
    file = serializers.FileField()


class HistoryOutput(serializers.ModelSerializer):
    #: The event type's name in the request's language (AuditEventType labels).
    event_label = serializers.CharField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor_name",
            "event_type",
            "event_label",
            "object_type",
            "object_id",
            "object_repr",
            "subject",
            "before",
            "after",
            "request_id",
        ]


# --- Helpers ---------------------------------------------------------------------------------


def _access(
    request, pk: int, *, write: bool = False, review: bool = False
) -> selectors.AssessmentAccess:
    return selectors.access_assessment(user=request.user, pk=pk, write=write, review=review)


def _detail(assessment: Assessment) -> dict:
    return AssessmentOutput(selectors.assessment_get(pk=assessment.pk)).data


# --- Views -----------------------------------------------------------------------------------


class AssessmentFilter(filters.FilterSet):
    organisation = filters.NumberFilter(field_name="organisation", max_value=ID_MAX, min_value=0)

    class Meta:
        model = Assessment
        fields = ["organisation", "status"]


class AssessmentListApi(generics.ListAPIView):
    """GET: the assessments of every organisation the caller belongs to. POST: create one."""

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


# --- Remediation actions ---------------------------------------------------------------------

from assessments.models import Action, ActionStatus  # noqa: E402
from portal.selectors import access_member  # noqa: E402


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
