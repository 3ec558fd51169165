"""Field-by-field and word-level diff of two framework versions."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from frameworks.document import FrameworkDocument, iter_provisions, iter_questions, iter_sections
from frameworks.models import (
    FrameworkVersion,
)

from .document import framework_version_document

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
