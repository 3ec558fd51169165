"""Writes to the framework registry: loading files, cloning, publishing, retiring, draft edits.

Published content is immutable; every change here either creates new rows
(load, clone) or edits a draft. Each state change appends an audit row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from pydantic import ValidationError as PydanticValidationError

from frameworks.choices import VersionStatus
from frameworks.document import FrameworkDocument, SectionDoc, format_loc
from frameworks.files import FileProblem, FrameworkFileError, parse_framework_file
from frameworks.models import (
    Framework,
    FrameworkVersion,
    FrozenContentError,
    Provision,
    Question,
    Section,
    Source,
)
from frameworks.models.text import normalise_data, normalise_fields, normalise_text
from frameworks.selectors import document_content_hash, framework_version_document
from portal.models import AuditEventType, User
from portal.services import audit_record


class FrameworkLoadError(Exception):
    """A framework file was valid but cannot be loaded (e.g. it would change a published version)."""


# --- Loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    version: FrameworkVersion
    #: "created" or "unchanged".
    action: str


def _create_content(*, version: FrameworkVersion, document: FrameworkDocument) -> None:
    """Insert the rows of ``document`` under the draft ``version``."""
    sources = Source.objects.bulk_create(
        [
            Source(
                version=version,
                key=s.key,
                title=s.title,
                publisher=s.publisher,
                url=s.url or "",
                date=s.date,
                confidence=s.confidence,
                order=i,
            )
            for i, s in enumerate(document.sources)
        ]
    )
    source_by_key = {s.key: s for s in sources}
    order = iter(range(1_000_000))
    pending_provisions: list[tuple[Provision, list]] = []

    def add_sections(docs: list[SectionDoc], parent: Section | None) -> None:
        for doc in docs:
            section = Section(
                version=version,
                parent=parent,
                key=doc.key,
                ref=doc.ref or "",
                title_ja=doc.title.ja,
                title_en=doc.title.en,
                description_ja=doc.description.ja if doc.description else "",
                description_en=doc.description.en if doc.description else "",
                order=next(order),
            )
            section.save()
            for p in doc.provisions:
                provision = Provision(
                    version=version,
                    section=section,
                    urn=p.urn,
                    ref=p.ref,
                    ref_ja=p.ref_ja or "",
                    title_ja=p.title.ja,
                    title_en=p.title.en,
                    summary_ja=p.summary.ja,
                    summary_en=p.summary.en,
                    strength=p.strength,
                    actors=list(p.actors),
                    applies_when=p.applies_when.as_data() if p.applies_when else None,
                    source=source_by_key[p.source],
                    confidence=p.confidence,
                    note_ja=p.note.ja if p.note else "",
                    note_en=p.note.en if p.note else "",
                    law_id=p.statute.law_id if p.statute else "",
                    law_revision=p.statute.revision if p.statute else "",
                    articles=[a.model_dump(exclude_none=True) for a in p.statute.articles]
                    if p.statute
                    else [],
                    article_text_ja=(p.statute.text_ja or "") if p.statute else "",
                    enforcement=p.enforcement.kind if p.enforcement else "",
                    enforcement_articles=list(p.enforcement.articles) if p.enforcement else [],
                    order=next(order),
                )
                pending_provisions.append((provision, p.questions))
            add_sections(doc.sections, section)

    add_sections(document.sections, None)
    Provision.objects.bulk_create([p for p, _q in pending_provisions])
    Question.objects.bulk_create(
        [
            Question(
                version=version,
                provision=provision,
                urn=q.urn,
                type=q.type,
                prompt_ja=q.prompt.ja,
                prompt_en=q.prompt.en,
                help_ja=q.help.ja if q.help else "",
                help_en=q.help.en if q.help else "",
                choices=[
                    {"key": c.key, "label_ja": c.label.ja, "label_en": c.label.en, "score": c.score}
                    for c in (q.choices or [])
                ],
                weight=q.weight,
                required=q.required,
                evidence_expected=q.evidence_expected,
                remediation_ja=q.remediation.ja,
                remediation_en=q.remediation.en,
                depends_on_urn=q.depends_on.question if q.depends_on else "",
                depends_on_answers=list(q.depends_on.answers) if q.depends_on else [],
                order=next(order),
            )
            for provision, questions in pending_provisions
            for q in questions
        ]
    )


def document_normalise(*, document: FrameworkDocument) -> FrameworkDocument:
    """``document`` with all its text in the normal form the rows store (see :mod:`frameworks.models.text`).

    Example: a file saved on Windows (``\\r\\n`` in a literal block) loads, hashes and exports
    exactly as the same file with ``\\n``. Files already normal come back unchanged.
    """
    data = document.model_dump(by_alias=True, exclude_none=True)
    normal = normalise_data(data)
    return document if normal == data else FrameworkDocument.model_validate(normal)


@transaction.atomic
def framework_version_load(*, document: FrameworkDocument, actor: User | None = None) -> LoadResult:
    """Store one framework file document as a version; idempotent.

    The same URN and version label with the same content hash is left as it is
    ("unchanged"). Different content under a label that already exists is
    refused: a published version never changes, so the file needs a new label.
    """
    document = document_normalise(document=document)
    content_hash = document_content_hash(document)
    framework, _created = Framework.objects.get_or_create(urn=document.urn)
    existing = FrameworkVersion.objects.filter(
        framework=framework, version=document.version
    ).first()
    if existing is not None:
        if existing.status != VersionStatus.DRAFT and existing.content_hash == content_hash:
            return LoadResult(existing, "unchanged")
        if existing.status == VersionStatus.DRAFT:
            raise FrameworkLoadError(
                f"{document.urn} {document.version} exists as a draft in the portal; publish or delete it first"
            )
        raise FrameworkLoadError(
            f"{document.urn} {document.version} is already {existing.status} with different content "
            f"(hash {existing.content_hash[:12]}…, file {content_hash[:12]}…); "
            "a published version never changes: give the file a new version label"
        )

    version = FrameworkVersion(
        framework=framework,
        version=document.version,
        status=VersionStatus.DRAFT,
        effective_date=document.effective_date,
        legal_status=document.legal_status,
        name_ja=document.name.ja,
        name_en=document.name.en,
        short_name_ja=document.short_name.ja,
        short_name_en=document.short_name.en,
        description_ja=document.description.ja,
        description_en=document.description.en,
        issuer_ja=document.issuer.ja,
        issuer_en=document.issuer.en,
        notes_ja=document.notes.ja if document.notes else "",
        notes_en=document.notes.en if document.notes else "",
        created_by=actor,
    )
    version.full_clean()
    version.save()
    _create_content(version=version, document=document)
    if document.status != VersionStatus.DRAFT:
        now = timezone.now()
        version.status = document.status
        version.content_hash = content_hash
        version.published_at = now
        version.retired_at = now if document.status == VersionStatus.RETIRED else None
        version.save()
    audit_record(
        actor=actor,
        event_type=AuditEventType.FRAMEWORK_VERSION_LOADED,
        obj=version,
        after={"status": version.status, "content_hash": version.content_hash},
    )
    return LoadResult(version, "created")


def framework_files_load(
    *, paths: list[Path], actor: User | None = None
) -> list[tuple[Path, LoadResult]]:
    """Load several files all or nothing: any invalid file or refused version writes nothing.

    Every file is parsed before anything is written, so the error lists the
    problems of every bad file at once.
    """
    documents: list[tuple[Path, FrameworkDocument]] = []
    problems: list[FileProblem] = []
    for path in paths:
        try:
            documents.append((path, parse_framework_file(path)))
        except FrameworkFileError as exc:
            problems.extend(exc.problems)
    seen: dict[tuple[str, str], Path] = {}
    for path, document in documents:
        ident = (document.urn, document.version)
        if ident in seen:
            problems.append(
                FileProblem(
                    path.name, "version", f"{ident[0]} {ident[1]} is also in {seen[ident].name}"
                )
            )
        seen.setdefault(ident, path)
    if problems:
        raise FrameworkFileError(problems)

    results = []
    with transaction.atomic():
        for path, document in documents:
            try:
                results.append((path, framework_version_load(document=document, actor=actor)))
            except FrameworkLoadError as exc:
                raise FrameworkFileError([FileProblem(path.name, "version", str(exc))]) from exc
    return results


# --- Lifecycle -------------------------------------------------------------------------------


@transaction.atomic
def framework_version_clone(
    *, actor: User, version: FrameworkVersion, label: str
) -> FrameworkVersion:
    """Copy a published or retired version into a new draft with new rows and the label ``label``.

    URNs stay the same, so the new version's items map onto the old ones.
    """
    if version.status == VersionStatus.DRAFT:
        raise VersionStateError({"version": "Only a published or retired version can be cloned."})
    document = framework_version_document(version=version)
    document = document.model_copy(update={"version": label, "status": VersionStatus.DRAFT})
    try:
        FrameworkDocument.model_validate(document.model_dump(by_alias=True))
    except PydanticValidationError as exc:
        raise ValidationError({"version": [e["msg"] for e in exc.errors()]}) from exc
    if FrameworkVersion.objects.filter(framework=version.framework, version=label).exists():
        raise ValidationError(
            {"version": f"{version.framework.urn} already has a version {label!r}."}
        )
    clone = FrameworkVersion(
        **{
            f.attname: getattr(version, f.attname)
            for f in FrameworkVersion._meta.concrete_fields
            if f.attname
            not in {
                "id",
                "status",
                "content_hash",
                "published_at",
                "retired_at",
                "created_at",
                "cloned_from_id",
                "created_by_id",
                "version",
                "release_note_ja",
                "release_note_en",
            }
        },
        version=label,
        status=VersionStatus.DRAFT,
        cloned_from=version,
        created_by=actor,
    )
    clone.full_clean()
    clone.save()
    _create_content(version=clone, document=document)
    audit_record(
        actor=actor,
        event_type=AuditEventType.FRAMEWORK_VERSION_CLONED,
        obj=clone,
        before={"cloned_from": version.pk, "version": version.version},
        after={"status": clone.status, "version": label},
    )
    return clone


@transaction.atomic
def framework_version_publish(
    *,
    actor: User,
    version: FrameworkVersion,
    effective_date: dt.date | None = None,
    release_note_ja: str = "",
    release_note_en: str = "",
) -> FrameworkVersion:
    """Freeze a draft: validate it as a framework file, record its content hash, mark it published.

    ``effective_date`` (when given) is set before the hash is taken; the release note is
    lifecycle metadata beside the content, like ``published_at``, and goes into the audit row.
    Example: publishing APPI 20260717 effective 2026-07-17 with the note "Art. 28 help extended".
    """
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise VersionStateError({"status": f"{version} is already {version.status}."})
    if effective_date is not None:
        version.effective_date = effective_date
    try:
        document = framework_version_document(version=version)
    except PydanticValidationError as exc:
        raise ValidationError(
            {
                "content": [
                    f"{format_loc(e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
                    for e in exc.errors()
                ]
            }
        ) from exc
    from frameworks.document import document_problems

    problems = document_problems(document)
    if problems:
        raise ValidationError({"content": [f"{path}: {message}" for path, message in problems]})
    version.status = VersionStatus.PUBLISHED
    version.content_hash = document_content_hash(document)
    version.published_at = timezone.now()
    version.release_note_ja = normalise_text(release_note_ja)
    version.release_note_en = normalise_text(release_note_en)
    version.full_clean()
    version.save()
    audit_record(
        actor=actor,
        event_type=AuditEventType.FRAMEWORK_VERSION_PUBLISHED,
        obj=version,
        before={"status": VersionStatus.DRAFT},
        after={
            "status": version.status,
            "content_hash": version.content_hash,
            "effective_date": version.effective_date.isoformat(),
            "release_note_ja": version.release_note_ja,
            "release_note_en": version.release_note_en,
        },
    )
    from frameworks.signals import framework_version_published

    transaction.on_commit(
        lambda: framework_version_published.send(sender=FrameworkVersion, version=version)
    )
    return version


@transaction.atomic
def framework_version_retire(
    *, actor: User, version: FrameworkVersion, reason: str = ""
) -> FrameworkVersion:
    """Stop offering a published version to new assessments; it stays readable for pinned ones.

    ``reason`` (e.g. "Superseded by 20260717") is kept in the audit row.
    """
    version = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.PUBLISHED:
        raise VersionStateError(
            {"status": f"Only a published version can be retired; {version} is {version.status}."}
        )
    version.status = VersionStatus.RETIRED
    version.retired_at = timezone.now()
    version.save()
    audit_record(
        actor=actor,
        event_type=AuditEventType.FRAMEWORK_VERSION_RETIRED,
        obj=version,
        before={"status": VersionStatus.PUBLISHED},
        after={"status": version.status, "reason": normalise_text(reason)},
    )
    return version


@transaction.atomic
def framework_version_draft_delete(*, actor: User, version: FrameworkVersion) -> None:
    """Delete a draft and its content; published versions are never deleted."""
    if version.status != VersionStatus.DRAFT:
        raise FrozenContentError(f"{version} is {version.status} and cannot be deleted")
    audit_record(
        actor=actor,
        event_type=AuditEventType.FRAMEWORK_VERSION_DELETED,
        obj=version,
        before={"status": version.status, "version": version.version},
    )
    version.delete()


# --- Draft edits -----------------------------------------------------------------------------


@transaction.atomic
def framework_version_details_update(*, actor: User, version: FrameworkVersion) -> FrameworkVersion:
    """Save edited details (names, dates, notes) of a draft version."""
    stored = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if stored.status != VersionStatus.DRAFT:
        raise FrozenContentError(
            f"{stored} is {stored.status}; clone it into a draft to make changes"
        )
    normalise_fields(version)
    version.full_clean()
    if _snapshot(stored) == _snapshot(version):
        # Saving an unchanged form is not an edit: no write, no audit row claiming one.
        return version
    version.save()
    audit_record(
        actor=actor,
        event_type=AuditEventType.FRAMEWORK_VERSION_UPDATED,
        obj=version,
        before=_snapshot(stored),
        after=_snapshot(version),
    )
    return version


def _snapshot(instance: models.Model) -> dict:
    return {
        k: (v if isinstance(v, (str, int, float, bool, list, dict, type(None))) else str(v))
        for k, v in model_to_dict(instance).items()
    }


@transaction.atomic
def framework_content_save(
    *, actor: User, instance: Section | Provision | Question | Source
) -> None:
    """Create or update one row inside a draft version (the admin's edit path)."""
    version = FrameworkVersion.objects.select_for_update().get(pk=instance.version_id)
    if version.status != VersionStatus.DRAFT:
        raise FrozenContentError(
            f"{version} is {version.status}; clone it into a draft to make changes"
        )
    before = None
    if instance.pk is not None:
        stored = type(instance).objects.filter(pk=instance.pk).first()
        before = _snapshot(stored) if stored else None
    normalise_fields(instance)
    instance.full_clean()
    if before is not None and before == _snapshot(instance):
        # Saving an unchanged form is not an edit: no write, no audit row claiming one.
        return
    instance.save()
    audit_record(
        actor=actor,
        event_type=AuditEventType.FRAMEWORK_CONTENT_UPDATED
        if before
        else AuditEventType.FRAMEWORK_CONTENT_CREATED,
        obj=instance,
        before=before,
        after=_snapshot(instance),
    )


@transaction.atomic
def framework_content_delete(
    *, actor: User, instance: Section | Provision | Question | Source
) -> None:
    version = FrameworkVersion.objects.select_for_update().get(pk=instance.version_id)
    if version.status != VersionStatus.DRAFT:
        raise FrozenContentError(f"{version} is {version.status}; its content cannot be deleted")
    audit_record(
        actor=actor,
        event_type=AuditEventType.FRAMEWORK_CONTENT_DELETED,
        obj=instance,
        before=_snapshot(instance),
    )
    instance.delete()


# --- OSCAL import ----------------------------------------------------------------------------


@transaction.atomic
def framework_version_oscal_import(
    *, actor: User, content: bytes, version_label: str
) -> FrameworkVersion:
    """Store an OSCAL catalog (JSON) as a new DRAFT version labelled ``version_label``.

    The catalog is read into a framework document and checked like a framework file (schema and
    whole-document rules); staff then edit and publish the draft as usual. Raises
    ValidationError naming the file's problems or the label that already exists.
    """
    import hashlib

    from frameworks.document import document_problems
    from frameworks.oscal import OscalCatalogError, oscal_catalog_document

    try:
        document = oscal_catalog_document(content=content, version_label=version_label)
    except OscalCatalogError as exc:
        raise ValidationError({"file": exc.problems}) from None
    problems = document_problems(document)
    if problems:
        raise ValidationError({"file": [f"{path}: {message}" for path, message in problems]})
    try:
        version = framework_version_load(document=document, actor=actor).version
    except FrameworkLoadError as exc:
        raise ValidationError({"version": str(exc)}) from None
    audit_record(
        actor=actor,
        event_type=AuditEventType.FRAMEWORK_VERSION_IMPORTED,
        obj=version,
        after={
            "format": "oscal-catalog",
            "sha256": hashlib.sha256(content).hexdigest(),
            "version": version.version,
        },
    )
    return version


# --- State conflicts (issue 13) ---------------------------------------------------------------


class VersionStateError(ValidationError):
    """The version is not in the state the action needs (publishing a published version,
    retiring a draft): the API answers 409, pages show the message."""

    http_status = 409
