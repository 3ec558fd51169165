"""Framework registry API: read for every signed-in user, draft editing and lifecycle for staff."""

from __future__ import annotations

from django.db.models import F
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from pydantic import ValidationError as PydanticValidationError
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from frameworks import selectors, services
from frameworks.models import Framework, FrameworkVersion, Provision, Question, Section
from portal.api.errors import Conflict
from portal.api.schema import ERRORS


def _visible_versions(request):
    return selectors.framework_version_visible_list(user=request.user)


def _version(request, pk: int) -> FrameworkVersion:
    return selectors.access_framework_version(user=request.user, pk=pk)


# --- Serializers -----------------------------------------------------------------------------


class FrameworkOutput(serializers.ModelSerializer):
    class Meta:
        model = Framework
        fields = ["id", "urn", "created_at"]


class VersionOutput(serializers.ModelSerializer):
    framework = serializers.CharField(source="framework.urn")

    class Meta:
        model = FrameworkVersion
        fields = [
            "id",
            "framework",
            "version",
            "status",
            "effective_date",
            "legal_status",
            "name_ja",
            "name_en",
            "short_name_ja",
            "short_name_en",
            "description_ja",
            "description_en",
            "issuer_ja",
            "issuer_en",
            "notes_ja",
            "notes_en",
            "content_hash",
            "cloned_from",
            "published_at",
            "retired_at",
            "release_note_ja",
            "release_note_en",
        ]


class SectionOutput(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = [
            "id",
            "version",
            "parent",
            "key",
            "ref",
            "title_ja",
            "title_en",
            "description_ja",
            "description_en",
            "order",
        ]


class SourceOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    publisher = serializers.CharField()
    url = serializers.CharField()
    date = serializers.DateField(allow_null=True)
    confidence = serializers.CharField()


class ProvisionOutput(serializers.ModelSerializer):
    source = SourceOutput()

    class Meta:
        model = Provision
        fields = [
            "id",
            "version",
            "section",
            "urn",
            "ref",
            "title_ja",
            "title_en",
            "summary_ja",
            "summary_en",
            "strength",
            "actors",
            "applies_when",
            "source",
            "confidence",
            "note_ja",
            "note_en",
            "law_id",
            "law_revision",
            "articles",
            "article_text_ja",
            "enforcement",
            "enforcement_articles",
            "order",
        ]


class QuestionOutput(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = [
            "id",
            "version",
            "provision",
            "urn",
            "type",
            "prompt_ja",
            "prompt_en",
            "help_ja",
            "help_en",
            "choices",
            "weight",
            "required",
            "evidence_expected",
            "remediation_ja",
            "remediation_en",
            "depends_on_urn",
            "depends_on_answers",
            "order",
        ]


class QuestionPatchInput(serializers.Serializer):
    prompt_ja = serializers.CharField(required=False, max_length=5000)
    prompt_en = serializers.CharField(required=False, max_length=5000)
    help_ja = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    help_en = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    remediation_ja = serializers.CharField(required=False, max_length=5000)
    remediation_en = serializers.CharField(required=False, max_length=5000)
    weight = serializers.FloatField(required=False, min_value=0.01, max_value=10)
    required = serializers.BooleanField(required=False)
    evidence_expected = serializers.BooleanField(required=False)


class CloneInput(serializers.Serializer):
    version = serializers.RegexField(r"^[0-9A-Za-z][0-9A-Za-z.\-]*$", max_length=40)


class PublishInput(serializers.Serializer):
    """What publishing asks for, as on the version page: effective date and a bilingual release note."""

    effective_date = serializers.DateField()
    release_note_ja = serializers.CharField(max_length=5000)
    release_note_en = serializers.CharField(max_length=5000)


class RetireInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


# --- Filters ---------------------------------------------------------------------------------


class VersionFilter(filters.FilterSet):
    framework = filters.CharFilter(field_name="framework__urn")

    class Meta:
        model = FrameworkVersion
        fields = ["framework", "status", "legal_status"]


class ProvisionFilter(filters.FilterSet):
    class Meta:
        model = Provision
        fields = ["strength", "section", "confidence"]


class QuestionFilter(filters.FilterSet):
    class Meta:
        model = Question
        fields = ["provision", "type", "required"]


# --- Views -----------------------------------------------------------------------------------


@extend_schema(responses={200: FrameworkOutput(many=True), **ERRORS})
class FrameworkListApi(generics.ListAPIView):
    serializer_class = FrameworkOutput
    filterset_fields = ["urn"]
    ordering_fields = ["urn"]

    def get_queryset(self):
        return selectors.framework_visible_list(user=self.request.user)


@extend_schema(responses={200: VersionOutput(many=True), **ERRORS})
class VersionListApi(generics.ListAPIView):
    serializer_class = VersionOutput
    filterset_class = VersionFilter
    ordering_fields = ["effective_date", "id"]

    def get_queryset(self):
        return _visible_versions(self.request).order_by(
            "framework__urn", F("effective_date").desc(nulls_first=True), "id"
        )


@extend_schema(responses={200: VersionOutput, **ERRORS})
class VersionDetailApi(APIView):
    def get(self, request, pk: int):
        return Response(VersionOutput(_version(request, pk)).data)


@extend_schema(responses={200: SectionOutput(many=True), **ERRORS})
class SectionListApi(generics.ListAPIView):
    serializer_class = SectionOutput
    filterset_fields = ["parent"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.serializer_class.Meta.model.objects.none()
        return selectors.section_list(version=_version(self.request, self.kwargs["pk"]))


@extend_schema(responses={200: ProvisionOutput(many=True), **ERRORS})
class ProvisionListApi(generics.ListAPIView):
    serializer_class = ProvisionOutput
    filterset_class = ProvisionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.serializer_class.Meta.model.objects.none()
        return selectors.provision_list(version=_version(self.request, self.kwargs["pk"]))


@extend_schema(responses={200: ProvisionOutput, **ERRORS})
class ProvisionDetailApi(APIView):
    def get(self, request, pk: int):
        provision = selectors.access_provision(user=request.user, pk=pk)
        return Response(ProvisionOutput(provision).data)


@extend_schema(responses={200: QuestionOutput(many=True), **ERRORS})
class QuestionListApi(generics.ListAPIView):
    serializer_class = QuestionOutput
    filterset_class = QuestionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return self.serializer_class.Meta.model.objects.none()
        return selectors.question_list(version=_version(self.request, self.kwargs["pk"]))


class QuestionDetailApi(APIView):
    def get_permissions(self):
        return (
            [permissions.IsAdminUser()]
            if self.request.method == "PATCH"
            else super().get_permissions()
        )

    def _question(self, request, pk: int) -> Question:
        return selectors.access_framework_question(user=request.user, pk=pk)

    @extend_schema(responses={200: QuestionOutput, **ERRORS})
    def get(self, request, pk: int):
        return Response(QuestionOutput(self._question(request, pk)).data)

    @extend_schema(request=QuestionPatchInput, responses={200: QuestionOutput, **ERRORS})
    def patch(self, request, pk: int):
        """Edit a question of a draft version (staff). Published questions answer 409."""
        question = self._question(request, pk)
        data = QuestionPatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        for key, value in data.validated_data.items():
            setattr(question, key, value)
        services.framework_content_save(actor=request.user, instance=question)
        return Response(QuestionOutput(question).data)


class _StaffAction(APIView):
    permission_classes = [permissions.IsAdminUser]


@extend_schema(request=CloneInput, responses={201: VersionOutput, **ERRORS})
class VersionCloneApi(_StaffAction):
    def post(self, request, pk: int):
        data = CloneInput(data=request.data)
        data.is_valid(raise_exception=True)
        clone = services.framework_version_clone(
            actor=request.user, version=_version(request, pk), label=data.validated_data["version"]
        )
        return Response(VersionOutput(clone).data, status=status.HTTP_201_CREATED)


@extend_schema(request=PublishInput, responses={200: VersionOutput, **ERRORS})
class VersionPublishApi(_StaffAction):
    def post(self, request, pk: int):
        version = _version(request, pk)
        data = PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            VersionOutput(
                services.framework_version_publish(
                    actor=request.user, version=version, **data.validated_data
                )
            ).data
        )


@extend_schema(request=RetireInput, responses={200: VersionOutput, **ERRORS})
class VersionRetireApi(_StaffAction):
    def post(self, request, pk: int):
        version = _version(request, pk)
        data = RetireInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            VersionOutput(
                services.framework_version_retire(
                    actor=request.user,
                    version=version,
                    reason=data.validated_data.get("reason", ""),
                )
            ).data
        )


class DiffFieldChangeOutput(serializers.Serializer):
    field = serializers.CharField(help_text="dotted path of the changed field, e.g. prompt.en")
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class DiffItemOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["section", "provision", "question"])
    key = serializers.CharField(help_text="the section key or the provision/question URN")
    label = serializers.CharField()


class DiffChangedItemOutput(DiffItemOutput):
    changes = DiffFieldChangeOutput(many=True)


class DiffOutput(serializers.Serializer):
    version_changes = DiffFieldChangeOutput(many=True)
    added = DiffItemOutput(many=True)
    removed = DiffItemOutput(many=True)
    changed = DiffChangedItemOutput(many=True)


class DiffQueryInput(serializers.Serializer):
    against = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="id of the older version"
    )


@extend_schema(
    parameters=[
        OpenApiParameter("against", int, required=True, description="id of the older version")
    ],
    responses={200: DiffOutput, **ERRORS},
)
class VersionDiffApi(APIView):
    def get(self, request, pk: int):
        query = DiffQueryInput(data=request.query_params)
        if not query.is_valid():
            raise ValidationError(
                {"against": "Give the id of the version to compare with."}
            ) from None
        new = _version(request, pk)
        old = _version(request, query.validated_data["against"])
        if new.framework_id != old.framework_id:
            raise ValidationError({"against": "Both versions must belong to the same framework."})
        try:
            diff = selectors.framework_version_diff(old=old, new=new)
        except PydanticValidationError:
            raise Conflict("One of these versions is an incomplete draft.") from None
        item = lambda kind, key, label: {"kind": kind, "key": key, "label": label}  # noqa: E731
        return Response(
            DiffOutput(
                {
                    "version_changes": diff.version_changes,
                    "added": [item(*a) for a in diff.added],
                    "removed": [item(*r) for r in diff.removed],
                    "changed": diff.changed,
                }
            ).data
        )
