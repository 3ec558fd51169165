"""Framework versions as OSCAL catalogs (NIST OSCAL 1.x), built and read with compliance-trestle.

A Tekigo framework version maps onto an OSCAL catalog like this:

* the version's identity and lifecycle facts (framework URN, label, legal status, effective date,
  issuer) are metadata props in Tekigo's namespace; its sources are back-matter resources;
* each section is a group, each provision a control, each question an ``assessment-objective``
  part of its control;
* every text exists in Japanese and English, so each is a part named after its field with the
  language as its class (``summary``/``ja``); the English title and summary are also the
  control's title and ``statement``, where any OSCAL tool looks first;
* strength, enforcement, actors, applicability, confidence and the e-Gov identity of statute
  provisions are props in Tekigo's namespace.

Example control (abridged)::

    {"id": "prov.art-26", "title": "Reporting leaks",
     "props": [{"name": "strength", "ns": "https://tekigo.invalid/ns/oscal", "value": "binding"}, …],
     "parts": [{"name": "statement", "prose": "When a leak…"}, …]}

OSCAL groups hold either subgroups or controls in trestle's model; a section holding both gets
a subgroup marked ``tekigo-provisions`` for its own provisions, folded back on import. Reading
a catalog yields a :class:`frameworks.document.FrameworkDocument`, validated like any framework
file, so an imported catalog is exactly as trustworthy as a file in the catalog folder.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from trestle.oscal import catalog as oscal_catalog
from trestle.oscal import common as oscal

from frameworks.document import FrameworkDocument, ProvisionDoc, QuestionDoc, SectionDoc
from frameworks.models import FrameworkVersion
from frameworks.selectors import framework_version_document

NS = "https://tekigo.invalid/ns/oscal"
UUID_NAMESPACE = uuid.UUID("4f1b9a4e-5b8e-4d6e-9a77-2f0c1a7e5d10")
SYNTHETIC = "tekigo-provisions"


class OscalCatalogError(ValueError):
    """The file is not an OSCAL catalog Tekigo can read; ``problems`` say where."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems[:5]))


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(UUID_NAMESPACE, "|".join(parts)))


def oscal_id(urn: str, prefix: str) -> str:
    """An OSCAL id from the part of a URN after the framework's (``prov:art-26`` → ``prov.art-26``)."""
    return urn.removeprefix(prefix).replace(":", ".")


def _prop(name: str, value: Any) -> oscal.Property:
    plain = (
        isinstance(value, str)
        and value
        and value == value.strip()
        and "\n" not in value
        and not value.startswith('"')
    )
    text = value if plain else json.dumps(value, ensure_ascii=False)
    return oscal.Property(name=name, ns=NS, value=text)


def _texts(name: str, text: Any) -> list[oscal.Part]:
    if text is None:
        return []
    return [
        oscal.Part(name=name, ns=NS, class_=lang, prose=getattr(text, lang))
        for lang in ("ja", "en")
    ]


# --- Export --------------------------------------------------------------------------------------


def _control(
    provision: ProvisionDoc, prefix: str, sources: dict[str, str]
) -> oscal_catalog.Control:
    cid = oscal_id(provision.urn, prefix)
    props = [
        _prop("urn", provision.urn),
        _prop("ref", provision.ref),
        _prop("strength", provision.strength),
        _prop("confidence", provision.confidence),
        _prop("source", provision.source),
        *[_prop("actor", actor) for actor in provision.actors],
    ]
    if provision.ref_ja:
        props.append(_prop("ref-ja", provision.ref_ja))
    if provision.applies_when is not None:
        props.append(_prop("applies-when", provision.applies_when.as_data()))
    if provision.enforcement is not None:
        props.append(_prop("enforcement", provision.enforcement.model_dump(mode="json")))
    parts = [oscal.Part(id=f"{cid}_smt", name="statement", prose=provision.summary.en)]
    parts += (
        _texts("title", provision.title)
        + _texts("summary", provision.summary)
        + _texts("note", provision.note)
    )
    if provision.statute is not None:
        props.append(
            _prop(
                "statute",
                provision.statute.model_dump(mode="json", exclude={"text_ja"}, exclude_none=True),
            )
        )
        if provision.statute.text_ja:
            parts.append(
                oscal.Part(name="statute-text", ns=NS, class_="ja", prose=provision.statute.text_ja)
            )
    for question in provision.questions:
        parts.append(_objective(question, prefix))
    return oscal_catalog.Control(
        id=cid,
        title=provision.title.en,
        props=props,
        parts=parts,
        links=[oscal.Link(href=f"#{sources[provision.source]}", rel="reference")],
    )


def _objective(question: QuestionDoc, prefix: str) -> oscal.Part:
    data = question.model_dump(mode="json", by_alias=True, exclude_none=True)
    props = [
        _prop("urn", question.urn),
        _prop("type", question.type),
        _prop("weight", question.weight),
    ]
    props += [
        _prop("required", question.required),
        _prop("evidence-expected", question.evidence_expected),
    ]
    if "choices" in data:
        props.append(_prop("choices", data["choices"]))
    if "depends_on" in data:
        props.append(_prop("depends-on", data["depends_on"]))
    parts = (
        _texts("prompt", question.prompt)
        + _texts("help", question.help)
        + _texts("remediation", question.remediation)
    )
    return oscal.Part(
        id=oscal_id(question.urn, prefix),
        name="assessment-objective",
        prose=question.prompt.en,
        props=props,
        parts=parts,
    )


def _group(section: SectionDoc, prefix: str, sources: dict[str, str]):
    props = [_prop("key", section.key)] + ([_prop("ref", section.ref)] if section.ref else [])
    parts = _texts("title", section.title) + _texts("description", section.description)
    controls = [_control(p, prefix, sources) for p in section.provisions]
    groups = [_group(s, prefix, sources) for s in section.sections]
    if groups and controls:
        groups.insert(
            0,
            oscal_catalog.Group2(
                id=f"s-{section.key}-provisions",
                title=section.title.en,
                props=[_prop(SYNTHETIC, True)],
                controls=controls,
            ),
        )
        controls = []
    if groups:
        return oscal_catalog.Group1(
            id=f"s-{section.key}", title=section.title.en, props=props, parts=parts, groups=groups
        )
    return oscal_catalog.Group2(
        id=f"s-{section.key}",
        title=section.title.en,
        props=props,
        parts=parts,
        controls=controls or None,
    )


def framework_version_oscal_catalog(*, version: FrameworkVersion) -> oscal_catalog.Catalog:
    """The version as an OSCAL catalog model (validated by trestle as it is built)."""
    document = framework_version_document(version=version)
    prefix = document.urn + ":"
    sources = {
        s.key: _uuid(document.urn, document.version, "source", s.key) for s in document.sources
    }
    metadata_props = [
        _prop("framework-urn", document.urn),
        _prop("legal-status", document.legal_status),
        _prop("status", version.status),
    ]
    if document.effective_date:
        metadata_props.append(_prop("effective-date", document.effective_date.isoformat()))
    remarks = [*_texts("name", document.name), *_texts("short-name", document.short_name)]
    remarks += (
        _texts("description", document.description)
        + _texts("issuer", document.issuer)
        + _texts("notes", document.notes)
    )
    last_modified = version.published_at or version.created_at or dt.datetime.now(dt.UTC)
    resources = [
        oscal.Resource(
            uuid=sources[s.key],
            title=s.title,
            props=[
                _prop("key", s.key),
                _prop("publisher", s.publisher),
                _prop("confidence", s.confidence),
            ]
            + ([_prop("date", s.date.isoformat())] if s.date else []),
            rlinks=[oscal.Rlink(href=s.url)] if s.url else None,
        )
        for s in document.sources
    ]
    # Version-level texts in both languages travel as a back-matter resource of their own.
    resources.append(
        oscal.Resource(
            uuid=_uuid(document.urn, document.version, "texts"),
            title="Tekigo version texts",
            props=[_prop("tekigo-texts", True)],
            remarks=json.dumps(
                {p.name + "." + p.class_: p.prose for p in remarks}, ensure_ascii=False
            ),
        )
    )
    return oscal_catalog.Catalog(
        uuid=_uuid(document.urn, document.version),
        metadata=oscal.Metadata(
            title=document.name.en,
            last_modified=last_modified,
            version=document.version,
            oscal_version=oscal.OscalVersion(oscal_catalog.OSCAL_VERSION),
            props=metadata_props,
        ),
        groups=[_group(s, prefix, sources) for s in document.sections],
        back_matter=oscal.BackMatter(resources=resources),
    )


def framework_version_oscal_json(*, version: FrameworkVersion) -> str:
    """``{"catalog": …}`` as OSCAL JSON files wrap it."""
    catalog = framework_version_oscal_catalog(version=version)
    return json.dumps(
        {"catalog": json.loads(catalog.oscal_serialize_json(pretty=False, wrapped=False))},
        ensure_ascii=False,
        indent=2,
    )


# --- Import --------------------------------------------------------------------------------------


def _props(item) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for prop in item.props or []:
        if str(prop.ns or "") == NS or prop.ns is None:
            found.setdefault(prop.name, []).append(prop.value)
    return found


def _value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _one(props: dict[str, list[str]], name: str, default: Any = None) -> Any:
    """A prop holding JSON data (a number, a flag, a list or an object)."""
    values = props.get(name)
    return _value(values[0]) if values else default


def _str(props: dict[str, list[str]], name: str) -> str | None:
    """A prop holding text: as written, unless it had to be JSON-quoted (see :func:`_prop`)."""
    values = props.get(name)
    if not values:
        return None
    return json.loads(values[0]) if values[0].startswith('"') else values[0]


def _pair(parts, name: str) -> dict[str, str] | None:
    texts = {p.class_: p.prose for p in parts or [] if p.name == name and p.class_ in ("ja", "en")}
    return texts if texts else None


def _question_data(part) -> dict[str, Any]:
    props = _props(part)
    data = {
        "urn": _str(props, "urn"),
        "type": _str(props, "type"),
        "prompt": _pair(part.parts, "prompt"),
        "help": _pair(part.parts, "help"),
        "weight": _one(props, "weight", 1.0),
        "required": _one(props, "required", True),
        "evidence_expected": _one(props, "evidence-expected", False),
        "remediation": _pair(part.parts, "remediation"),
        "choices": _one(props, "choices"),
        "depends_on": _one(props, "depends-on"),
    }
    return {k: v for k, v in data.items() if v is not None}


def _provision_data(control) -> dict[str, Any]:
    props = _props(control)
    parts = control.parts or []
    data = {
        "urn": _str(props, "urn"),
        "ref": _str(props, "ref"),
        "ref_ja": _str(props, "ref-ja"),
        "title": _pair(parts, "title") or {"ja": control.title, "en": control.title},
        "summary": _pair(parts, "summary"),
        "strength": _str(props, "strength"),
        "actors": props.get("actor", []),
        "applies_when": _one(props, "applies-when"),
        "source": _str(props, "source"),
        "confidence": _str(props, "confidence"),
        "enforcement": _one(props, "enforcement"),
        "note": _pair(parts, "note"),
        "questions": [_question_data(p) for p in parts if p.name == "assessment-objective"],
    }
    statute = _one(props, "statute")
    if statute is not None:
        text = next((p.prose for p in parts if p.name == "statute-text"), None)
        data["statute"] = {**statute, **({"text_ja": text} if text else {})}
    return {k: v for k, v in data.items() if v is not None}


def _section_data(group) -> dict[str, Any]:
    props = _props(group)
    provisions = [_provision_data(c) for c in getattr(group, "controls", None) or []]
    sections = []
    for child in getattr(group, "groups", None) or []:
        if _one(_props(child), SYNTHETIC):
            provisions += [_provision_data(c) for c in child.controls or []]
        else:
            sections.append(_section_data(child))
    data = {
        "key": _str(props, "key") or (group.id or "").removeprefix("s-") or None,
        "ref": _str(props, "ref"),
        "title": _pair(group.parts, "title") or {"ja": group.title, "en": group.title},
        "description": _pair(group.parts, "description"),
        "sections": sections,
        "provisions": provisions,
    }
    return {k: v for k, v in data.items() if v is not None}


def oscal_catalog_document(
    *, content: bytes | str, version_label: str | None = None
) -> FrameworkDocument:
    """Read an OSCAL catalog (JSON) into a framework document, validated like a framework file.

    Raises :class:`OscalCatalogError` naming what is wrong: not JSON, not an OSCAL catalog (trestle
    validation), or not a complete Tekigo framework (the document's own validation).
    """
    try:
        raw = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise OscalCatalogError(["The file is not JSON."]) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("catalog"), dict):
        raise OscalCatalogError(['The file has no OSCAL catalog (a top-level "catalog" object).'])
    try:
        catalog = oscal_catalog.Catalog.model_validate(raw["catalog"])
    except PydanticValidationError as exc:
        raise OscalCatalogError(
            [f"catalog.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()][:20]
        ) from None
    meta = _props(catalog.metadata)
    resources = (
        catalog.back_matter.resources
        if catalog.back_matter and catalog.back_matter.resources
        else []
    )
    texts: dict[str, str] = {}
    sources = []
    for resource in resources:
        props = _props(resource)
        if _one(props, "tekigo-texts"):
            texts = json.loads(resource.remarks or "{}")
            continue
        sources.append(
            {
                "key": _str(props, "key"),
                "title": resource.title,
                "publisher": _str(props, "publisher"),
                "url": str(resource.rlinks[0].href) if resource.rlinks else None,
                "date": _str(props, "date"),
                "confidence": _str(props, "confidence"),
            }
        )

    def pair(name: str) -> dict[str, str] | None:
        found = {
            lang: texts[f"{name}.{lang}"] for lang in ("ja", "en") if f"{name}.{lang}" in texts
        }
        return found or None

    data = {
        "schema_version": 1,
        "urn": _str(meta, "framework-urn"),
        "name": pair("name") or {"ja": catalog.metadata.title, "en": catalog.metadata.title},
        "short_name": pair("short-name"),
        "description": pair("description"),
        "issuer": pair("issuer"),
        "version": version_label or catalog.metadata.version,
        "effective_date": _str(meta, "effective-date"),
        "legal_status": _str(meta, "legal-status"),
        "status": "draft",
        "notes": pair("notes"),
        "sources": [{k: v for k, v in s.items() if v is not None} for s in sources],
        "sections": [_section_data(g) for g in catalog.groups or []],
    }
    try:
        return FrameworkDocument.model_validate({k: v for k, v in data.items() if v is not None})
    except PydanticValidationError as exc:
        from frameworks.document import format_loc

        raise OscalCatalogError(
            [f"{format_loc(e['loc'])}: {e['msg']}" for e in exc.errors()][:20]
        ) from None
