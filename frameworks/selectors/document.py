"""The document form of a version: what is exported, hashed and diffed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from frameworks.document import FrameworkDocument
from frameworks.models import (
    FrameworkVersion,
    Provision,
    Question,
    Source,
)

from .lists import SectionNode, framework_version_tree

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
