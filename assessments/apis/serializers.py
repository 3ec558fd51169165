"""Serializers of the assessment API: typed inputs and outputs."""

from __future__ import annotations

from typing import get_args

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from assessments.models import (
    Answer,
    Assessment,
    AssessmentFramework,
    Evidence,
)
from assessments.scoping import RoleCode, ScopingProfile
from portal.api.errors import field_path
from portal.api.fields import IdField
from portal.models import AuditEvent

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
            "previous",
        ]
        extra_kwargs = {
            "previous": {"help_text": "the assessment this one was rolled forward from"}
        }


class AssessmentCreateInput(serializers.Serializer):
    """A new assessment: from ``frameworks`` and ``scoping``, or from a ``previous`` one.

    With ``previous`` the new assessment takes that assessment's frameworks (their latest
    published versions) and scope, its answers marked to re-confirm, its evidence linked and its
    open actions (issue 12); ``frameworks`` and ``scoping`` are then left out.
    """

    organisation = IdField()
    name = serializers.CharField(max_length=200)
    frameworks = serializers.ListField(
        child=serializers.CharField(max_length=200),
        min_length=1,
        max_length=50,
        required=False,
        help_text="framework URNs; the latest published version of each is pinned "
        "(required unless previous is given)",
    )
    scoping = Scoping(required=False, help_text="required unless previous is given")
    previous = IdField(
        required=False,
        help_text="id of an assessment of the same organisation to start from (roll-forward)",
    )

    def validate(self, data):
        if "previous" in data:
            given = [name for name in ("frameworks", "scoping") if name in data]
            if given:
                raise ValidationError(
                    {
                        name: [
                            _(
                                "Leave this out when starting from a previous assessment: "
                                "it is taken from that one."
                            )
                        ]
                        for name in given
                    }
                )
            return data
        missing = {
            name: [ErrorDetail(_("This field is required."), code="required")]
            for name in ("frameworks", "scoping")
            if name not in data
        }
        if missing:
            raise ValidationError(missing)
        return data


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
            "reconfirm_required",
            "revision",
            "updated_at",
        ]
        extra_kwargs = {
            "reconfirm_required": {
                "help_text": "copied from the previous assessment and not confirmed yet: "
                "not counted as answered until saved again (changed or not)"
            }
        }


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
