"""Django admin for drafting framework versions. Published and retired versions are read-only here.

Every save and delete goes through :mod:`frameworks.services`, so the draft
check and the audit log apply to admin edits as to everything else.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from frameworks import services
from frameworks.choices import VersionStatus
from frameworks.forms import (
    FrameworkVersionAdminForm,
    ProvisionAdminForm,
    QuestionAdminForm,
    SectionAdminForm,
    SourceAdminForm,
)
from frameworks.models import (
    FrameworkVersion,
    FrozenContentError,
    Provision,
    Question,
    Section,
    Source,
)


def _editable(version) -> bool:
    return version is not None and version.status == VersionStatus.DRAFT


class DraftOnlyAdmin(admin.ModelAdmin):
    """Rows of a version: editable while the version is a draft, view-only afterwards."""

    def _version_of(self, obj):
        return getattr(obj, "version", None) if obj is not None else None

    def has_change_permission(self, request, obj=None):
        if obj is not None and not _editable(self._version_of(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not _editable(self._version_of(obj)):
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # New rows can only go into drafts.
        if db_field.name == "version":
            kwargs["queryset"] = FrameworkVersion.objects.filter(status=VersionStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            services.framework_content_save(actor=request.user, instance=obj)
        except FrozenContentError as exc:
            raise PermissionDenied(str(exc)) from exc

    def delete_model(self, request, obj):
        try:
            services.framework_content_delete(actor=request.user, instance=obj)
        except FrozenContentError as exc:
            raise PermissionDenied(str(exc)) from exc

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.framework_content_delete(actor=request.user, instance=obj)
        for obj in instances:
            services.framework_content_save(actor=request.user, instance=obj)


class DraftOnlyInline(admin.StackedInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        # ``obj`` is the parent: a version (for sources) or a provision (for questions).
        return obj is None or _editable(obj if isinstance(obj, FrameworkVersion) else obj.version)

    has_change_permission = has_add_permission
    has_delete_permission = has_add_permission


class SourceInline(DraftOnlyInline):
    model = Source
    form = SourceAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["key", "title", "publisher", "url", "date", "confidence", "order"]


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "framework",
        "version",
        "status",
        "legal_status",
        "effective_date",
        "portal_link",
    ]
    list_filter = ["status", "legal_status", "framework"]
    search_fields = ["name_ja", "name_en", "version", "framework__urn"]
    readonly_fields = [
        "framework",
        "status",
        "content_hash",
        "cloned_from",
        "created_by",
        "created_at",
        "published_at",
        "retired_at",
        # Written when the version is published, from its portal page.
        "release_note_ja",
        "release_note_en",
    ]
    inlines = [SourceInline]
    form = FrameworkVersionAdminForm
    actions = None

    @admin.display(description="Portal")
    def portal_link(self, obj):
        return format_html(
            '<a href="{}">view, publish, diff</a>', reverse("frameworks:version", args=[obj.pk])
        )

    def has_add_permission(self, request):
        # New versions come from the catalog loader or by cloning a published one.
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and not _editable(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not _editable(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            services.framework_version_details_update(actor=request.user, version=obj)
        except FrozenContentError as exc:
            raise PermissionDenied(str(exc)) from exc

    def delete_model(self, request, obj):
        try:
            services.framework_version_draft_delete(actor=request.user, version=obj)
        except FrozenContentError as exc:
            raise PermissionDenied(str(exc)) from exc

    def save_formset(self, request, form, formset, change):
        DraftOnlyAdmin.save_formset(self, request, form, formset, change)

    def response_change(self, request, obj):
        messages.info(request, "Saved. Publish the draft from its portal page when it is ready.")
        return super().response_change(request, obj)


@admin.register(Section)
class SectionAdmin(DraftOnlyAdmin):
    list_display = ["__str__", "version", "key", "parent", "order"]
    list_filter = ["version"]
    search_fields = ["title_ja", "title_en", "key"]
    form = SectionAdminForm


class QuestionInline(DraftOnlyInline):
    model = Question
    form = QuestionAdminForm
    fk_name = "provision"
    fields = [
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

    def get_formset(self, request, obj=None, **kwargs):
        version_id = obj.version_id if obj else None
        # New questions take the provision's version: their choices of follow-up come from it.
        kwargs["form"] = type("QuestionInlineForm", (self.form,), {"parent_version_id": version_id})
        formset = super().get_formset(request, obj, **kwargs)

        class WithVersion(formset):
            def save_new(self, form, commit=True):
                instance = super().save_new(form, commit=False)
                instance.version_id = version_id
                return instance

        return WithVersion


@admin.register(Provision)
class ProvisionAdmin(DraftOnlyAdmin):
    list_display = ["ref", "title_en", "version", "strength", "confidence"]
    list_filter = ["version", "strength"]
    search_fields = ["ref", "title_ja", "title_en", "urn"]
    form = ProvisionAdminForm
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(DraftOnlyAdmin):
    list_display = ["__str__", "version", "type", "weight", "required"]
    list_filter = ["version", "type"]
    search_fields = ["urn", "prompt_ja", "prompt_en"]
    form = QuestionAdminForm
