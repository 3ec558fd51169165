"""Who may see which framework versions: the access selectors."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from frameworks.choices import VersionStatus
from frameworks.models import (
    Framework,
    FrameworkVersion,
    Provision,
    Question,
    Section,
)

# --- Access ----------------------------------------------------------------------------------


def framework_version_visible_list(*, user) -> QuerySet[FrameworkVersion]:
    """The versions ``user`` may see: drafts are work in progress, seen only by staff."""
    versions = FrameworkVersion.objects.select_related("framework", "cloned_from")
    return versions if user.is_staff else versions.exclude(status=VersionStatus.DRAFT)


def access_framework_version(*, user, pk: int) -> FrameworkVersion:
    """The version if the user may see it: drafts only for staff; the same 404 otherwise.

    Example: an officer asking for a draft's id gets "No such framework version.", exactly as
    for an id that was never used.
    """
    version = framework_version_visible_list(user=user).filter(pk=pk).first()
    if version is None:
        raise Http404("No such framework version.")
    return version


def framework_versions_latest_published_by_urn(*, urns: list[str]) -> dict[str, FrameworkVersion]:
    """The newest published version of each framework URN that has one (unknown URNs are absent).

    Example: ``{"urn:tekigo:fw:appi": <FrameworkVersion APPI 2025.1>}``. One query.
    """
    latest: dict[str, FrameworkVersion] = {}
    for version in (
        FrameworkVersion.objects.filter(framework__urn__in=urns, status=VersionStatus.PUBLISHED)
        .select_related("framework")
        .order_by("framework__urn", "-effective_date", "-id")
    ):
        latest.setdefault(version.framework.urn, version)
    return latest


def framework_visible_list(*, user) -> QuerySet[Framework]:
    """The frameworks with at least one version ``user`` may see, by URN."""
    return (
        Framework.objects.filter(versions__in=framework_version_visible_list(user=user))
        .distinct()
        .order_by("urn")
    )


def section_list(*, version: FrameworkVersion) -> QuerySet[Section]:
    return Section.objects.filter(version=version).order_by("order", "id")


def provision_list(*, version: FrameworkVersion) -> QuerySet[Provision]:
    return (
        Provision.objects.filter(version=version).select_related("source").order_by("order", "id")
    )


def question_list(*, version: FrameworkVersion) -> QuerySet[Question]:
    return Question.objects.filter(version=version).order_by("order", "id")


def access_provision(*, user, pk: int) -> Provision:
    """A provision of a version ``user`` may see; the same 404 for a draft's and a missing one."""
    provision = (
        Provision.objects.select_related("source")
        .filter(pk=pk, version__in=framework_version_visible_list(user=user))
        .first()
    )
    if provision is None:
        raise Http404("No such provision.")
    return provision


def access_framework_question(*, user, pk: int) -> Question:
    """A question of a version ``user`` may see; the same 404 for a draft's and a missing one."""
    question = Question.objects.filter(
        pk=pk, version__in=framework_version_visible_list(user=user)
    ).first()
    if question is None:
        raise Http404("No such question.")
    return question
