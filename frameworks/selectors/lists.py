"""Lists and single objects of the registry."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from frameworks.choices import VersionStatus
from frameworks.models import (
    NEWEST_FIRST,
    Framework,
    FrameworkVersion,
    Provision,
    Question,
    Section,
)

# --- Lists and single objects ----------------------------------------------------------------


def framework_list(*, include_drafts: bool = False) -> QuerySet[Framework]:
    """Frameworks with their versions (newest first) in ``visible_versions``, for the catalog page.

    Drafts are work in progress: only staff (``include_drafts``) see them.
    """
    versions = FrameworkVersion.objects.annotate(question_count=Count("questions")).order_by(
        *NEWEST_FIRST
    )
    frameworks = Framework.objects.all()
    if not include_drafts:
        versions = versions.exclude(status=VersionStatus.DRAFT)
        frameworks = frameworks.filter(
            versions__status__in=[VersionStatus.PUBLISHED, VersionStatus.RETIRED]
        ).distinct()
    return frameworks.prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="visible_versions")
    )


def framework_version_get(*, pk: int) -> FrameworkVersion:
    try:
        return FrameworkVersion.objects.select_related("framework", "cloned_from").get(pk=pk)
    except FrameworkVersion.DoesNotExist:
        raise Http404("No such framework version.") from None


def framework_version_list(
    *, framework: Framework, include_drafts: bool = False
) -> QuerySet[FrameworkVersion]:
    versions = framework.versions.order_by(*NEWEST_FIRST)
    return versions if include_drafts else versions.exclude(status=VersionStatus.DRAFT)


def framework_version_latest_published(*, framework: Framework) -> FrameworkVersion | None:
    return framework.versions.filter(status=VersionStatus.PUBLISHED).order_by(*NEWEST_FIRST).first()


def provision_get(*, version: FrameworkVersion, pk: int) -> Provision:
    provision = (
        Provision.objects.select_related("source", "section")
        .prefetch_related("questions")
        .filter(version=version, pk=pk)
        .first()
    )
    if provision is None:
        raise Http404("No such provision.")
    return provision


@dataclass
class SectionNode:
    section: Section
    provisions: list[Provision] = field(default_factory=list)
    children: list[SectionNode] = field(default_factory=list)


def framework_version_tree(*, version: FrameworkVersion) -> list[SectionNode]:
    """The version's sections as a tree, each with its provisions and their questions.

    Three queries whatever the size of the version.
    """
    sections = list(Section.objects.filter(version=version).order_by("order", "id"))
    provisions = (
        Provision.objects.filter(version=version)
        .select_related("source")
        .prefetch_related(Prefetch("questions", queryset=Question.objects.order_by("order", "id")))
        .order_by("order", "id")
    )
    nodes = {s.pk: SectionNode(s) for s in sections}
    for provision in provisions:
        nodes[provision.section_id].provisions.append(provision)
    roots: list[SectionNode] = []
    for section in sections:
        parent = nodes.get(section.parent_id)
        (parent.children if parent else roots).append(nodes[section.pk])
    return roots
