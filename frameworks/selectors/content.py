"""Content of published versions, cached in the process (it never changes)."""

from __future__ import annotations

from frameworks.choices import VersionStatus
from frameworks.models import (
    NEWEST_FIRST,
    FrameworkVersion,
    Provision,
    Question,
    Section,
)


def framework_versions_latest_published() -> list[FrameworkVersion]:
    """The newest published version of every framework: what a new assessment pins."""
    latest: dict[int, FrameworkVersion] = {}
    for version in FrameworkVersion.objects.filter(status=VersionStatus.PUBLISHED).order_by(
        "framework__urn", *NEWEST_FIRST
    ):
        latest.setdefault(version.framework_id, version)
    return list(latest.values())


# --- Content of published versions, cached in the process ------------------------------------

#: Published content never changes, so its rows can be kept in memory once read. The key holds
#: the publication time too: a test database that reuses ids for new rows never hits old entries.
_CONTENT_CACHE: dict[tuple, tuple[list[Section], list[Provision], list[Question]]] = {}
_CONTENT_CACHE_SIZE = 64


def _content_key(version: FrameworkVersion) -> tuple | None:
    if version.status == VersionStatus.DRAFT or version.published_at is None:
        return None
    return (version.pk, version.content_hash, version.published_at.isoformat())


def version_content_list(
    *, versions: list[FrameworkVersion]
) -> tuple[list[Section], list[Provision], list[Question]]:
    """Sections, provisions (with their source) and questions of ``versions``, each in order.

    Published versions are read once per process (three queries for all the versions not yet
    cached) and then served from memory; drafts are always read from the database. Treat the
    returned rows as read-only: they are shared between requests.
    """
    result: dict[int, tuple[list, list, list]] = {}
    missing = []
    for version in versions:
        key = _content_key(version)
        if key is not None and key in _CONTENT_CACHE:
            result[version.pk] = _CONTENT_CACHE[key]
        else:
            missing.append(version)
    if missing:
        ids = [v.pk for v in missing]
        fresh: dict[int, tuple[list, list, list]] = {pk: ([], [], []) for pk in ids}
        for section in Section.objects.filter(version_id__in=ids).order_by("order", "id"):
            fresh[section.version_id][0].append(section)
        for provision in (
            Provision.objects.filter(version_id__in=ids)
            .select_related("source")
            .order_by("order", "id")
        ):
            fresh[provision.version_id][1].append(provision)
        for question in Question.objects.filter(version_id__in=ids).order_by("order", "id"):
            fresh[question.version_id][2].append(question)
        if len(_CONTENT_CACHE) > _CONTENT_CACHE_SIZE:
            _CONTENT_CACHE.clear()
        for version in missing:
            result[version.pk] = fresh[version.pk]
            key = _content_key(version)
            if key is not None:
                _CONTENT_CACHE[key] = fresh[version.pk]
    sections, provisions, questions = [], [], []
    for version in versions:
        s, p, q = result[version.pk]
        sections += s
        provisions += p
        questions += q
    return sections, provisions, questions
