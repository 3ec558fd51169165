"""Assessment API: the same access selectors and services as the pages."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments import selectors, services
from assessments.downloads import evidence_file_response
from assessments.models import Answer, Assessment, AssessmentFramework, Evidence
from assessments.scoping import ScopingProfile
from frameworks.models import Framework
from frameworks.selectors import framework_version_latest_published
from portal.api.schema import ERRORS
from portal.models import AuditEvent, Membership
from portal.selectors import MemberAccess, organisation_ids_readable

# --- Serializers -----------------------------------------------------------------------------


class ScopingField(serializers.JSONField):
    """A scoping profile; unknown keys or wrong types are refused with the key named."""

    def to_internal_value(self, data):
        from pydantic import ValidationError as PydanticError

        try:
            return ScopingProfile.model_validate(data)
        except PydanticError as exc:
            raise ValidationError(
                {".".join(str(p) for p in e["loc"]) or "scoping": e["msg"] for e in exc.errors()}
            ) from None

    def to_representation(self, value):
        return value


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
    scoping = serializers.JSONField()

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
    organisation = serializers.IntegerField()
    name = serializers.CharField(max_length=200)
    frameworks = serializers.ListField(
        child=serializers.CharField(max_length=200),
        min_length=1,
        max_length=50,
        help_text="framework URNs; the latest published version of each is pinned",
    )
    scoping = ScopingField()


class ScopingInput(serializers.Serializer):
    scoping = ScopingField()
    revision = serializers.IntegerField(required=False, min_value=0, max_value=2**31)


class RevisionInput(serializers.Serializer):
    revision = serializers.IntegerField(required=False, min_value=0, max_value=2**31)


class UpgradeInput(serializers.Serializer):
    framework = serializers.CharField(
        max_length=200,
        help_text="URN of the pinned framework to move to its newest published version",
    )


class AnswerOutput(serializers.ModelSerializer):
    question = serializers.IntegerField(source="question_id")
    question_urn = serializers.CharField(source="question.urn")

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
    question = serializers.IntegerField()
    value = serializers.JSONField(required=False, allow_null=True)
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
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor_name",
            "event_type",
            "object_type",
            "object_id",
            "object_repr",
            "subject",
            "before",
            "after",
            "request_id",
        ]


# --- Helpers ---------------------------------------------------------------------------------


def _access(request, pk: int, *, write: bool = False) -> selectors.AssessmentAccess:
    return selectors.access_assessment(user=request.user, pk=pk, write=write)


def _detail(assessment: Assessment) -> dict:
    assessment = Assessment.objects.prefetch_related("pins__framework", "pins__version").get(
        pk=assessment.pk
    )
    return AssessmentOutput(assessment).data


# --- Views -----------------------------------------------------------------------------------


class AssessmentFilter(filters.FilterSet):
    class Meta:
        model = Assessment
        fields = ["organisation", "status"]


class AssessmentListApi(generics.ListCreateAPIView):
    serializer_class = AssessmentOutput

    @extend_schema(responses={200: AssessmentOutput(many=True), **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    filterset_class = AssessmentFilter
    ordering_fields = ["updated_at", "created_at", "name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assessment.objects.none()
        organisations = organisation_ids_readable(user=self.request.user)
        return (
            Assessment.objects.filter(organisation_id__in=organisations)
            .prefetch_related("pins__framework", "pins__version")
            .order_by("-updated_at", "-id")
        )

    @extend_schema(request=AssessmentCreateInput, responses={201: AssessmentOutput, **ERRORS})
    def post(self, request):
        data = AssessmentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = (
            Membership.objects.select_related("organisation")
            .filter(user=request.user, organisation_id=data.validated_data["organisation"])
            .first()
        )
        if membership is None:
            raise ValidationError({"organisation": "You are not a member of this organisation."})
        if not MemberAccess(membership).can_write:
            raise PermissionDenied("Only officers create assessments.")
        versions = []
        for index, urn in enumerate(data.validated_data["frameworks"]):
            framework = Framework.objects.filter(urn=urn).first()
            version = framework_version_latest_published(framework=framework) if framework else None
            if version is None:
                raise ValidationError({f"frameworks[{index}]": f"No published framework {urn!r}."})
            versions.append(version)
        assessment = services.assessment_create(
            actor=request.user,
            organisation=membership.organisation,
            name=data.validated_data["name"],
            versions=versions,
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


@extend_schema(request=RevisionInput, responses={200: AssessmentOutput, **ERRORS})
class AssessmentReopenApi(APIView):
    def post(self, request, pk: int):
        access = _access(request, pk, write=True)
        data = RevisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        assessment = services.assessment_reopen(
            actor=request.user,
            assessment=access.assessment,
            expected_revision=data.validated_data.get("revision"),
        )
        return Response(_detail(assessment))


@extend_schema(request=UpgradeInput, responses={200: AssessmentOutput, **ERRORS})
class AssessmentUpgradeApi(APIView):
    def post(self, request, pk: int):
        access = _access(request, pk, write=True)
        data = UpgradeInput(data=request.data)
        data.is_valid(raise_exception=True)
        pin = (
            AssessmentFramework.objects.select_related("version")
            .filter(assessment=access.assessment, framework__urn=data.validated_data["framework"])
            .first()
        )
        if pin is None:
            raise ValidationError({"framework": "This framework is not part of the assessment."})
        target = selectors.framework_version_upgrade_target(pin=pin)
        if target is None:
            raise ValidationError({"framework": "Already at the newest published version."})
        assessment = services.assessment_upgrade(
            actor=request.user, assessment=access.assessment, pin=pin, target=target
        )
        return Response(_detail(assessment))


class AnswerFilter(filters.FilterSet):
    question_urn = filters.CharFilter(field_name="question__urn")
    has_comment = filters.BooleanFilter(method="_has_comment")

    class Meta:
        model = Answer
        fields = ["question", "not_applicable", "needs_review"]

    def _has_comment(self, queryset, name, value):
        return queryset.exclude(comment="") if value else queryset.filter(comment="")


@extend_schema(responses={200: AnswerOutput(many=True), **ERRORS})
class AnswerListApi(generics.ListAPIView):
    """Answers to the pinned versions' questions. POST saves many answers at once, all or nothing.

    A contributor reads and answers only the questions assigned to them."""

    serializer_class = AnswerOutput
    filterset_class = AnswerFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.serializer_class.Meta.model.objects.none()
        access = selectors.access_assessment(
            user=self.request.user, pk=self.kwargs["pk"], limited=True
        )
        pinned = AssessmentFramework.objects.filter(assessment=access.assessment).values(
            "version_id"
        )
        answers = Answer.objects.filter(
            assessment=access.assessment, question__version_id__in=pinned
        )
        if access.is_limited:
            answers = answers.filter(question_id__in=access.question_ids)
        return answers.select_related("question").order_by("question__order", "id")

    @extend_schema(request=BulkAnswerInput, responses={200: AnswerOutput(many=True), **ERRORS})
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
            return Response({"errors": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(AnswerOutput(saved, many=True).data)


@extend_schema(responses={200: EvidenceOutput(many=True), **ERRORS})
class EvidenceListApi(generics.ListAPIView):
    serializer_class = EvidenceOutput
    parser_classes = [MultiPartParser]
    filterset_fields = ["content_type", "sha256"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.serializer_class.Meta.model.objects.none()
        access = selectors.access_assessment(
            user=self.request.user, pk=self.kwargs["pk"], question_id=self.kwargs["question_pk"]
        )
        return Evidence.objects.filter(
            answer__assessment=access.assessment, answer__question_id=self.kwargs["question_pk"]
        ).select_related("answer")

    @extend_schema(
        request={"multipart/form-data": EvidenceInput}, responses={201: EvidenceOutput, **ERRORS}
    )
    def post(self, request, pk: int, question_pk: int):
        access = selectors.access_assessment(
            user=request.user, pk=pk, write=True, question_id=question_pk
        )
        data = EvidenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = services.evidence_upload(
            actor=request.user,
            assessment=access.assessment,
            question_id=question_pk,
            upload=data.validated_data["file"],
        )
        return Response(EvidenceOutput(evidence).data, status=status.HTTP_201_CREATED)


@extend_schema(responses={(200, "application/octet-stream"): bytes, **ERRORS})
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
            return self.serializer_class.Meta.model.objects.none()
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
        pinned = AssessmentFramework.objects.filter(assessment=access.assessment).values(
            "version_id"
        )
        return (
            Answer.objects.filter(assessment=access.assessment, question__version_id__in=pinned)
            .exclude(comment="")
            .select_related("question", "updated_by")
            .order_by("question__order", "id")
        )


class QuestionnaireOutput(serializers.Serializer):
    assessment = serializers.IntegerField()
    progress = serializers.DictField()
    frameworks = serializers.ListField(child=serializers.DictField())


def _answer_data(answer: Answer | None) -> dict | None:
    if answer is None:
        return None
    return {
        "value": answer.value,
        "comment": answer.comment,
        "not_applicable": answer.not_applicable,
        "justification": answer.justification,
        "needs_review": answer.needs_review,
        "revision": answer.revision,
    }


def _section_data(block: selectors.SectionBlock) -> dict:
    section = block.section
    return {
        "key": section.key,
        "ref": section.ref,
        "title_ja": section.title_ja,
        "title_en": section.title_en,
        "progress": {"answered": block.progress.answered, "applicable": block.progress.applicable},
        "provisions": [
            {
                "urn": pb.provision.urn,
                "ref": pb.provision.ref,
                "title_ja": pb.provision.title_ja,
                "title_en": pb.provision.title_en,
                "strength": pb.provision.strength,
                "applies": pb.applicability.applies,
                "reasons_en": pb.applicability.reasons_en,
                "reasons_ja": pb.applicability.reasons_ja,
                "questions": [
                    {
                        "id": qb.question.pk,
                        "urn": qb.question.urn,
                        "type": qb.question.type,
                        "prompt_ja": qb.question.prompt_ja,
                        "prompt_en": qb.question.prompt_en,
                        "choices": qb.question.choices,
                        "required": qb.question.required,
                        "visible": qb.visible,
                        "answer": _answer_data(qb.answer),
                        "evidence": [
                            {"id": e.pk, "name": e.original_name, "sha256": e.sha256}
                            for e in qb.evidence
                        ],
                    }
                    for qb in pb.questions
                ],
            }
            for pb in block.provisions
        ],
        "children": [_section_data(child) for child in block.children],
    }


@extend_schema(responses={200: QuestionnaireOutput, **ERRORS})
class QuestionnaireApi(APIView):
    """The whole assessment in one response: every section, provision (with why it applies),
    question and answer. A constant number of queries whatever its size."""

    def get(self, request, pk: int):
        access = _access(request, pk)
        questionnaire = selectors.questionnaire_build(assessment=access.assessment)
        return Response(
            {
                "assessment": access.assessment.pk,
                "progress": {
                    "answered": questionnaire.progress.answered,
                    "applicable": questionnaire.progress.applicable,
                },
                "frameworks": [
                    {
                        "framework": fb.pin.framework.urn,
                        "version": fb.pin.version.version,
                        "legal_status": fb.pin.version.legal_status,
                        "sections": [_section_data(section) for section in fb.sections],
                    }
                    for fb in questionnaire.frameworks
                ],
            }
        )


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
