"""Reads of the framework registry."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from frameworks.choices import VersionStatus
from frameworks.document import FrameworkDocument, iter_provisions, iter_questions, iter_sections
from frameworks.models import (
    NEWEST_FIRST,
    Framework,
    FrameworkVersion,
    Provision,
    Question,
    Section,
    Source,
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


# --- Document form (export, hash, diff) ------------------------------------------------------


def _text(ja: str, en: str) -> dict[str, str] | None:
    return {"ja": ja, "en": en} if (ja or en) else None


def framework_version_document(*, version: FrameworkVersion) -> FrameworkDocument:
    """The version as a framework file document: what ``export_framework`` writes.

    Loading the result back yields the same content hash. Raises pydantic's
    ``ValidationError`` when a draft is incomplete (publish reports that).
    """
    sources = list(Source.objects.filter(version=version).order_by("order", "id"))
    source_keys = {s.pk: s.key for s in sources}
    tree = framework_version_tree(version=version)

    def question_data(q: Question) -> dict[str, Any]:
        data: dict[str, Any] = {
            "urn": q.urn,
            "type": q.type,
            "prompt": _text(q.prompt_ja, q.prompt_en),
            "help": _text(q.help_ja, q.help_en),
            "weight": q.weight,
            "required": q.required,
            "evidence_expected": q.evidence_expected,
            "remediation": _text(q.remediation_ja, q.remediation_en),
        }
        if q.choices:
            data["choices"] = [
                {
                    "key": c["key"],
                    "label": {"ja": c["label_ja"], "en": c["label_en"]},
                    "score": c["score"],
                }
                for c in q.choices
            ]
        if q.depends_on_urn:
            data["depends_on"] = {"question": q.depends_on_urn, "answers": q.depends_on_answers}
        return data

    def provision_data(p: Provision) -> dict[str, Any]:
        data: dict[str, Any] = {
            "urn": p.urn,
            "ref": p.ref,
            "ref_ja": p.ref_ja or None,
            "title": _text(p.title_ja, p.title_en),
            "summary": _text(p.summary_ja, p.summary_en),
            "strength": p.strength,
            "actors": p.actors,
            "applies_when": p.applies_when or None,
            "source": source_keys.get(p.source_id),
            "confidence": p.confidence,
            "note": _text(p.note_ja, p.note_en),
            "questions": [question_data(q) for q in p.questions.all()],
        }
        if p.enforcement:
            data["enforcement"] = {"kind": p.enforcement, "articles": p.enforcement_articles}
        if p.law_id:
            data["statute"] = {
                "law_id": p.law_id,
                "revision": p.law_revision,
                "articles": p.articles,
                "text_ja": p.article_text_ja or None,
            }
        return data

    def section_data(node: SectionNode) -> dict[str, Any]:
        s = node.section
        return {
            "key": s.key,
            "ref": s.ref or None,
            "title": _text(s.title_ja, s.title_en),
            "description": _text(s.description_ja, s.description_en),
            "sections": [section_data(child) for child in node.children],
            "provisions": [provision_data(p) for p in node.provisions],
        }

    data = {
        "schema_version": 1,
        "urn": version.framework.urn,
        "name": _text(version.name_ja, version.name_en),
        "short_name": _text(version.short_name_ja, version.short_name_en),
        "description": _text(version.description_ja, version.description_en),
        "issuer": _text(version.issuer_ja, version.issuer_en),
        "version": version.version,
        "effective_date": version.effective_date,
        "legal_status": version.legal_status,
        "status": version.status,
        "notes": _text(version.notes_ja, version.notes_en),
        "sources": [
            {
                "key": s.key,
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url or None,
                "date": s.date,
                "confidence": s.confidence,
            }
            for s in sources
        ],
        "sections": [section_data(node) for node in tree],
    }
    return FrameworkDocument.model_validate(_drop_none(data))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def document_content_hash(document: FrameworkDocument) -> str:
    """SHA-256 of the document's content in canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(
        document.content(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- Diff ------------------------------------------------------------------------------------


#: Names of the parts of a field path (``choices[yes].label.en``) in the reader's language.
_FIELD_NAMES = {
    "name": _("Name"),
    "short_name": _("Short name"),
    "description": _("Description"),
    "issuer": _("Issued by"),
    "version": _("Version label"),
    "effective_date": _("Effective date"),
    "legal_status": _("Legal status"),
    "notes": _("Note"),
    "note": _("Note"),
    "sources": _("Source"),
    "source": _("Source"),
    "title": _("Title"),
    "publisher": _("Publisher"),
    "url": _("URL"),
    "date": _("Date"),
    "confidence": _("Confidence"),
    "ref": _("Reference"),
    "ref_ja": _("Reference (Japanese form)"),
    "summary": _("Summary"),
    "strength": _("Strength"),
    "actors": _("Actors"),
    "applies_when": _("Applies when"),
    "statute": _("Statute"),
    "law_id": _("Law ID"),
    "revision": _("Revision"),
    "articles": _("Articles"),
    "number": _("Number"),
    "caption_ja": _("Caption (Japanese)"),
    "text_ja": _("Statute text (Japanese)"),
    "enforcement": _("Enforcement"),
    "kind": _("Kind"),
    "prompt": _("Question"),
    "help": _("Help text"),
    "choices": _("Choice"),
    "label": _("Label"),
    "score": _("Score"),
    "weight": _("Weight"),
    "required": _("Required"),
    "evidence_expected": _("Evidence expected"),
    "remediation": _("Remediation"),
    "depends_on": _("Shown only after"),
    "question": _("Question"),
    "answers": _("Answers"),
    "type": _("Question type"),
}
_LANGUAGE_NAMES = {"ja": _("Japanese"), "en": _("English")}
_KIND_NAMES = {"section": _("Section"), "provision": _("Provision"), "question": _("Question")}


def field_label(path: str) -> str:
    """A diff field path in the reader's language.

    Example: ``summary.en`` is "Summary (English)" / 「要約（英語）」; ``choices[yes].label.ja``
    is "Choice yes › Label (Japanese)". Unknown parts are shown as they are.
    """
    parts = [p for p in re.split(r"\.(?![^\[]*\])", path) if p]
    language = None
    if len(parts) > 1 and parts[-1] in _LANGUAGE_NAMES:
        language = parts.pop()
    names = []
    for part in parts:
        match = re.fullmatch(r"([a-z_]+)(?:\[(.+)\])?", part)
        if match is None:
            names.append(part)
            continue
        name = str(_FIELD_NAMES.get(match[1], match[1]))
        names.append(f"{name} {match[2]}" if match[2] is not None else name)
    label = " › ".join(names)
    if language:
        label = _("%(field)s (%(language)s)") % {
            "field": label,
            "language": _LANGUAGE_NAMES[language],
        }
    return label


#: Texts at least this long (or spanning lines) are compared word by word.
WORD_DIFF_MIN_LENGTH = 16
_TOKENS = re.compile(r"[A-Za-z0-9_'’-]+|\s+|.", re.DOTALL)


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``old`` → ``new`` as runs of ``("equal" | "delete" | "insert", text)``.

    English compares word by word, Japanese (which has no spaces) character by character.
    Example: ``text_diff("Name a contact.", "Name a contact point.")`` is
    ``[("equal", "Name a contact"), ("insert", " point"), ("equal", ".")]``.
    """
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    # Blocks: ["equal", text] or ["change", deleted, inserted].
    blocks: list[list[str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            blocks.append(["equal", "".join(a[i1:i2])])
        else:
            blocks.append(["change", "".join(a[i1:i2]), "".join(b[j1:j2])])
    # A short equal run between two changes ("the", a comma) reads better inside one change.
    merged = True
    while merged:
        merged = False
        for i in range(1, len(blocks) - 1):
            left, middle, right = blocks[i - 1], blocks[i], blocks[i + 1]
            if (
                middle[0] == "equal"
                and left[0] == right[0] == "change"
                and len(middle[1]) <= max(len(left[1]), len(left[2]))
                and len(middle[1]) <= max(len(right[1]), len(right[2]))
            ):
                blocks[i - 1 : i + 2] = [
                    ["change", left[1] + middle[1] + right[1], left[2] + middle[1] + right[2]]
                ]
                merged = True
                break
    runs: list[tuple[str, str]] = []
    for block in blocks:
        if block[0] == "equal":
            runs.append(("equal", block[1]))
        else:
            runs += [(op, text) for op, text in zip(("delete", "insert"), block[1:]) if text]
    return runs


def _display(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any

    @property
    def label(self) -> str:
        return field_label(self.field)

    @property
    def old_display(self) -> str:
        return _display(self.old)

    @property
    def new_display(self) -> str:
        return _display(self.new)

    @property
    def segments(self) -> list[tuple[str, str]] | None:
        """The word diff of a long text change; None for short values, shown side by side."""
        if not (isinstance(self.old, str) and isinstance(self.new, str)):
            return None
        longest = max(len(self.old), len(self.new))
        if longest < WORD_DIFF_MIN_LENGTH and "\n" not in self.old + self.new:
            return None
        return text_diff(self.old, self.new)


class DiffItem(tuple):
    """An added or removed item: ``(kind, key, label)`` with the English label, plus ``label_ja``.

    Example: ``("provision", "urn:…:prov:art-17", "Art. 17 Specifying the purpose of use")``
    with ``label_ja`` 「第17条 利用目的の特定」.
    """

    def __new__(cls, kind: str, key: str, label: str, label_ja: str = ""):
        item = super().__new__(cls, (kind, key, label))
        item.label_ja = label_ja or label
        return item

    kind = property(lambda self: self[0])
    key = property(lambda self: self[1])
    label = property(lambda self: self[2])
    label_en = label
    kind_label = property(lambda self: _KIND_NAMES.get(self[0], self[0]))


@dataclass
class ItemDiff:
    """One provision, question or section present in both versions, with what changed."""

    kind: str
    key: str
    label: str
    changes: list[FieldChange]
    label_ja: str = ""

    @property
    def label_en(self) -> str:
        return self.label

    @property
    def kind_label(self) -> str:
        return _KIND_NAMES.get(self.kind, self.kind)


@dataclass
class VersionDiff:
    old: FrameworkVersion
    new: FrameworkVersion
    version_changes: list[FieldChange]
    added: list[DiffItem]
    removed: list[DiffItem]
    changed: list[ItemDiff]

    @property
    def is_empty(self) -> bool:
        return not (self.version_changes or self.added or self.removed or self.changed)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for index, item in enumerate(value):
            tag = item.get("key", index) if isinstance(item, dict) else index
            out.update(_flatten(item, f"{prefix}[{tag}]"))
        return out
    return {prefix: value}


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    a, b = _flatten(old), _flatten(new)
    return [
        FieldChange(k, a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)
    ]


def _items(
    document: FrameworkDocument,
) -> dict[tuple[str, str], tuple[tuple[str, str], dict[str, Any]]]:
    """Every section, provision and question by ``(kind, key)``: its (English, Japanese) labels and data."""
    items: dict[tuple[str, str], tuple[tuple[str, str], dict[str, Any]]] = {}
    for _path, section in iter_sections(document.sections):
        data = section.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude={"sections", "provisions"}
        )
        labels = (
            f"{section.ref or ''} {section.title.en}".strip(),
            f"{section.ref or ''} {section.title.ja}".strip(),
        )
        items[("section", section.key)] = (labels, data)
    for _path, provision in iter_provisions(document):
        data = provision.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude={"questions"}
        )
        labels = (
            f"{provision.ref} {provision.title.en}",
            f"{provision.ref_ja or provision.ref} {provision.title.ja}",
        )
        items[("provision", provision.urn)] = (labels, data)
    for _path, question in iter_questions(document):
        data = question.model_dump(mode="json", by_alias=True, exclude_none=True)
        items[("question", question.urn)] = ((question.prompt.en, question.prompt.ja), data)
    return items


def framework_version_diff(*, old: FrameworkVersion, new: FrameworkVersion) -> VersionDiff:
    """What changed from ``old`` to ``new``: items matched by URN (sections by key), field by field.

    Labels come in both languages (the newer wording where an item is in both versions).
    """
    old_doc = framework_version_document(version=old)
    new_doc = framework_version_document(version=new)
    head_fields = {"sections", "status"}
    version_changes = _field_changes(
        old_doc.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=head_fields),
        new_doc.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=head_fields),
    )
    old_items, new_items = _items(old_doc), _items(new_doc)
    added = [
        DiffItem(kind, key, *new_items[(kind, key)][0])
        for kind, key in new_items
        if (kind, key) not in old_items
    ]
    removed = [
        DiffItem(kind, key, *old_items[(kind, key)][0])
        for kind, key in old_items
        if (kind, key) not in new_items
    ]
    changed = []
    for ident, ((label_en, label_ja), data) in new_items.items():
        if ident in old_items:
            changes = _field_changes(old_items[ident][1], data)
            if changes:
                changed.append(ItemDiff(ident[0], ident[1], label_en, changes, label_ja))
    return VersionDiff(old, new, version_changes, added, removed, changed)


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
