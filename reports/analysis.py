"""Gap analysis: scores, provision statuses and severities, from an assessment's answers.

The result is a typed :class:`reports.snapshot.ReportSnapshot` (stored as its JSON dump), so an
issued report never depends on rows that may change later. How it is computed (also printed on
the report's methodology page):

* A choice question scores the score of the chosen answer (0 to 1); a multiple-choice
  question the mean of the chosen answers. "Not applicable" is left out. An applicable
  required question left unanswered scores 0. Text, number and date questions are
  informational: they carry no score.
* A provision's score is the weighted mean of its questions' scores (question weights).
  Status: ``compliant`` (score 1), ``gap`` (score 0), ``partial`` (in between),
  ``unanswered`` (nothing answered yet), ``applies`` (in scope, but no question assesses it),
  ``not_applicable`` (out of scope, or every question answered "not applicable").
* Section, framework and overall scores are weighted means over the questions below them.
  Government duties are never assessed. Reported claims (strength ``reported``, or any
  provision of a ``reported`` framework) carry no status and no score: every one is in the
  watch list, with whether it would concern the organisation's profile.
* Severity comes from :func:`frameworks.severity.provision_severity` (strength and enforcement).
* Gaps are grouped by what the framework is (statute, then guideline: ``framework_kind``), then
  by strength, then by severity.

Example: APPI Art. 26 with "partly" (0.5, weight 2) and "yes" (1, weight 1) scores
(0.5·2 + 1·1) / 3 = 0.67, status ``partial``, severity ``high``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from assessments.answer_values import answer_value_labels
from assessments.models import Assessment
from assessments.selectors import QuestionBlock, Questionnaire, SectionBlock, questionnaire_build
from frameworks.applicability import FACTS
from frameworks.choices import CHOICE_QUESTION_TYPES, Actor, Strength, framework_kind
from frameworks.severity import SEVERITY_ORDER, provision_severity
from portal.models import User
from reports.snapshot import GAP_STATUSES, SCHEMA_VERSION, ReportSnapshot

SNAPSHOT_SCHEMA = SCHEMA_VERSION
STATUS_ORDER = {"gap": 0, "unanswered": 1, "partial": 2}
OBLIGATIONS = {Strength.BINDING, Strength.BINDING_NO_SANCTION, Strength.EFFORT_DUTY}
GUIDELINES = {Strength.VOLUNTARY}
KIND_ORDER = {"statute": 0, "guideline": 1, "reported": 2}
STRENGTH_ORDER = {
    Strength.BINDING: 0,
    Strength.BINDING_NO_SANCTION: 1,
    Strength.EFFORT_DUTY: 2,
    Strength.VOLUNTARY: 3,
    Strength.GOVERNMENT_DUTY: 4,
    Strength.REPORTED: 5,
}


@dataclass
class Tally:
    """Weighted score sums; ``score`` is None when nothing scored."""

    points: float = 0.0
    weight: float = 0.0

    def add(self, score: float, weight: float) -> None:
        self.points += score * weight
        self.weight += weight

    def merge(self, other: Tally) -> None:
        self.points += other.points
        self.weight += other.weight

    @property
    def score(self) -> float | None:
        return round(self.points / self.weight, 4) if self.weight else None


def question_score(block: QuestionBlock) -> float | None:
    """The question's score, or None when it is not scored (informational, N/A, optional and empty)."""
    question, answer = block.question, block.answer
    if question.type not in CHOICE_QUESTION_TYPES:
        return None
    if answer is None or not answer.is_answered:
        return 0.0 if question.required else None
    if answer.not_applicable:
        return None
    scores = {c["key"]: float(c["score"]) for c in question.choices}
    values = answer.value if isinstance(answer.value, list) else [answer.value]
    chosen = [scores[v] for v in values if v in scores]
    return sum(chosen) / len(chosen) if chosen else 0.0


def _answer_texts(block: QuestionBlock) -> tuple[str, str]:
    answer = block.answer
    if answer is None or not answer.is_answered:
        return "", ""
    if answer.not_applicable:
        return "該当なし", "Not applicable"
    return (
        answer_value_labels(block.question, answer.value, "ja"),
        answer_value_labels(block.question, answer.value, "en"),
    )


@dataclass
class _Provision:
    data: dict[str, Any]
    tally: Tally = field(default_factory=Tally)


def _provision(
    pb, framework: dict[str, Any], users: dict[int, str], with_questions: bool = True
) -> _Provision:
    provision = pb.provision
    kind = framework["kind"]
    reported = kind == "reported" or provision.strength == Strength.REPORTED
    visible = [b for b in pb.questions if b.visible]
    questions, tally = [], Tally()
    answered_any = False
    # (answered, not applicable) of each shown question: the status below reads these, so it is
    # the same whether or not the question rows are built.
    flags: list[tuple[bool, bool]] = []
    for block in visible:
        score = question_score(block)
        if score is not None:
            tally.add(score, block.question.weight)
        answer = block.answer
        answered = bool(answer and answer.is_answered)
        answered_any |= answered
        flags.append((answered, bool(answer and answer.not_applicable)))
        if not with_questions:
            continue
        answer_ja, answer_en = _answer_texts(block)
        questions.append(
            {
                "urn": block.question.urn,
                "prompt_ja": block.question.prompt_ja,
                "prompt_en": block.question.prompt_en,
                "type": block.question.type,
                "required": block.question.required,
                "weight": block.question.weight,
                "answered": bool(answer and answer.is_answered),
                "answer_ja": answer_ja,
                "answer_en": answer_en,
                "not_applicable": bool(answer and answer.not_applicable),
                "justification": answer.justification if answer else "",
                "comment": answer.comment if answer else "",
                "needs_review": bool(answer and answer.needs_review),
                "score": score,
                "remediation_ja": block.question.remediation_ja,
                "remediation_en": block.question.remediation_en,
                "evidence_expected": block.question.evidence_expected,
                "evidence": [
                    {
                        "name": e.original_name,
                        "sha256": e.sha256,
                        "size": e.size,
                        "uploaded_by": users.get(e.uploaded_by_id, ""),
                        "uploaded_at": e.uploaded_at.isoformat() if e.uploaded_at else None,
                    }
                    for e in block.evidence
                ],
            }
        )
    if reported:
        status = None  # a reported claim is watched, never assessed
    elif pb.applicability.applies and not pb.questions:
        status = "applies"  # in scope, but nothing to ask (e.g. a threshold band)
    elif not pb.applicability.applies or not visible:
        status = "not_applicable"
    elif all(not_applicable for answered, not_applicable in flags if answered) and all(
        answered for answered, _ in flags
    ):
        status = "not_applicable"
    elif not answered_any:
        status = "unanswered"
    elif tally.score is None:
        status = "compliant"  # informational answers only
    elif tally.score >= 0.999:
        status = "compliant"
    elif tally.score <= 0.001:
        status = "gap"
    else:
        status = "partial"
    if not pb.applicability.applies or reported:
        tally = Tally()
    source = provision.source
    data = {
        "urn": provision.urn,
        "ref": provision.ref,
        "ref_ja": provision.ref_ja,
        "title_ja": provision.title_ja,
        "title_en": provision.title_en,
        "strength": provision.strength,
        "severity": "watch"
        if reported
        else provision_severity(strength=provision.strength, enforcement=provision.enforcement),
        "enforcement": provision.enforcement,
        "enforcement_articles": [str(a) for a in provision.enforcement_articles or []],
        "kind": "reported" if reported else kind,
        "group": "reported" if reported else kind,
        "status": status,
        "score": tally.score,
        "applies": pb.applicability.applies,
        "has_questions": bool(pb.questions),
        "reasons_ja": pb.applicability.reasons_ja,
        "reasons_en": pb.applicability.reasons_en,
        "confidence": provision.confidence,
        "source": {
            "title": source.title,
            "publisher": source.publisher,
            "url": source.url,
            "confidence": source.confidence,
        },
        "law_id": provision.law_id,
        "articles": provision.articles,
        "note_ja": provision.note_ja,
        "note_en": provision.note_en,
        "framework_short_ja": framework["short_name_ja"],
        "framework_short_en": framework["short_name_en"],
        "questions": questions,
    }
    return _Provision(data, tally)


def _counts_in_score(strength: str, kind: str) -> bool:
    return kind != "reported" and strength not in (Strength.REPORTED, Strength.GOVERNMENT_DUTY)


def _section(
    block: SectionBlock,
    framework: dict[str, Any],
    depth: int,
    totals: dict[str, Tally],
    users: dict[int, str],
    with_questions: bool = True,
) -> tuple[dict[str, Any], Tally]:
    tally = Tally()
    provisions = []
    for pb in block.provisions:
        item = _provision(pb, framework, users, with_questions)
        provisions.append(item.data)
        strength = pb.provision.strength
        if _counts_in_score(strength, framework["kind"]):
            tally.merge(item.tally)
            totals["obligations" if strength in OBLIGATIONS else "guidelines"].merge(item.tally)
    children = []
    for child in block.children:
        child_data, child_tally = _section(
            child, framework, depth + 1, totals, users, with_questions
        )
        tally.merge(child_tally)
        children.append(child_data)
    data = {
        "ref": block.section.ref,
        "title_ja": block.section.title_ja,
        "title_en": block.section.title_en,
        "depth": depth,
        "score": tally.score,
        "provisions": provisions,
        "children": children,
    }
    return data, tally


def _walk_provisions(section: dict[str, Any]):
    yield from section["provisions"]
    for child in section["children"]:
        yield from _walk_provisions(child)


def scope_statements(scoping: dict[str, Any], language: str) -> list[str]:
    """The scoping profile in words, one statement per fact, in ``language``.

    Example: ``["AI roles: AI provider", "you handle personal information", ...]``.
    """
    from django.utils import translation

    lines = []
    suffix = "ja" if language == "ja" else "en"
    for name, fact in FACTS.items():
        value = scoping.get(name)
        if fact.kind == "roles":
            with translation.override(language):
                roles = ", ".join(str(dict(Actor.choices).get(r, r)) for r in value or [])
            lines.append(f"{getattr(fact, 'label_' + suffix)}: {roles or '—'}")
        elif fact.kind == "bool":
            text = getattr(fact, ("true_" if value else "false_") + suffix)
            if text:
                lines.append(text)
        elif fact.kind == "choice":
            labels = {v: (ja if suffix == "ja" else en) for v, ja, en in fact.choices}
            if value is not None and value in labels:
                lines.append(f"{getattr(fact, 'label_' + suffix)}: {labels[value]}")
        elif isinstance(value, (int, float)):
            lines.append(f"{getattr(fact, 'label_' + suffix)}: {value:,}")
    return lines


def _uploaders(questionnaire: Questionnaire) -> dict[int, str]:
    """Usernames of everyone who uploaded evidence, in one query (none without evidence)."""
    ids = {
        e.uploaded_by_id
        for fb in questionnaire.frameworks
        for block in _blocks(fb.sections)
        for e in block.evidence
        if e.uploaded_by_id
    }
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "username")) if ids else {}


def _blocks(sections):
    for section in sections:
        for pb in section.provisions:
            yield from pb.questions
        yield from _blocks(section.children)


def action_items(*, assessment: Assessment) -> list[dict[str, Any]]:
    """The action plan as a report freezes it: title, owner, status, due date, overdue, and the
    provisions it addresses in both citation forms (a constant number of queries). Added to the
    snapshot when a report is asked for (``reports.services.report_request``), not to every
    analysis: the portfolio analyses many assessments at once and needs no action rows."""
    from django.utils import translation

    from assessments.models import ActionStatus
    from assessments.selectors import action_list

    items = []
    for action in action_list(assessment=assessment):
        labels = {}
        for language in ("ja", "en"):
            with translation.override(language):
                labels[language] = str(ActionStatus(action.status).label)
        provisions = list(action.provisions.all())
        items.append(
            {
                "title": action.title,
                "owner": action.owner.get_username() if action.owner_id else "",
                "status": action.status,
                "status_ja": labels["ja"],
                "status_en": labels["en"],
                "due_date": action.due_date.isoformat() if action.due_date else None,
                "overdue": bool(getattr(action, "is_overdue", False)),
                "refs": [p.ref for p in provisions],
                "refs_ja": [p.ref_in("ja") for p in provisions],
            }
        )
    return items


def gap_analysis_compute(
    *,
    assessment: Assessment,
    questionnaire: Questionnaire | None = None,
    with_questions: bool = True,
) -> ReportSnapshot:
    """The full analysis of ``assessment`` as a typed snapshot (``.dump()`` for JSON).

    ``with_questions=False``: every provision's ``questions`` is left empty (no answer texts,
    no evidence, so no uploader query), for a caller that reads only scores, statuses and
    severities. Those are computed the same way either way. Example: the portfolio analyses 50
    assessments and shows no question, so it skips building and validating ~10,000 question rows.
    """
    questionnaire = questionnaire or questionnaire_build(assessment=assessment)
    # No question rows, no evidence rows to name: no uploader query.
    users = _uploaders(questionnaire) if with_questions else {}

    overall = {
        "all": Tally(),
        "obligations": Tally(),
        "guidelines": Tally(),
        "statute": Tally(),
        "guideline": Tally(),
    }
    frameworks, gaps, watch = [], [], []
    for fb in questionnaire.frameworks:
        version = fb.pin.version
        kind = framework_kind(version.legal_status)
        framework = {
            "urn": fb.pin.framework.urn,
            "name_ja": version.name_ja,
            "name_en": version.name_en,
            "short_name_ja": version.short_name_ja,
            "short_name_en": version.short_name_en,
            "version": version.version,
            # Reported claims may have no effective date: then none is shown, never a placeholder.
            "effective_date": version.effective_date.isoformat()
            if version.effective_date
            else None,
            "legal_status": version.legal_status,
            "kind": kind,
            "watch_only": kind == "reported",
            "notes_ja": version.notes_ja,
            "notes_en": version.notes_en,
            "content_hash": version.content_hash,
        }
        totals = {"obligations": Tally(), "guidelines": Tally()}
        framework_tally = Tally()
        sections = []
        for root in fb.sections:
            data, tally = _section(root, framework, 0, totals, users, with_questions)
            framework_tally.merge(tally)
            sections.append(data)
        counts = {s: 0 for s in ("compliant", "partial", "gap", "unanswered", "applies")}
        counts.update(not_applicable=0, watch=0)
        for section in sections:
            for provision in _walk_provisions(section):
                if provision["strength"] == Strength.GOVERNMENT_DUTY:
                    continue
                if provision["kind"] == "reported":
                    counts["watch"] += 1
                    watch.append(provision)
                    continue
                counts[provision["status"]] += 1
                if provision["status"] in GAP_STATUSES:
                    gaps.append(provision)
        for key in ("obligations", "guidelines"):
            overall[key].merge(totals[key])
        overall["all"].merge(framework_tally)
        if kind in ("statute", "guideline"):
            overall[kind].merge(framework_tally)
        framework.update(
            {
                "score": framework_tally.score,
                "obligations_score": totals["obligations"].score,
                "guidelines_score": totals["guidelines"].score,
                "counts": counts,
                "sections": sections,
            }
        )
        frameworks.append(framework)
    gaps.sort(
        key=lambda p: (
            KIND_ORDER[p["kind"]],
            STRENGTH_ORDER.get(p["strength"], 9),
            SEVERITY_ORDER[p["severity"]],
            STATUS_ORDER[p["status"]],
            p["score"] if p["score"] is not None else 0,
        )
    )
    severity_counts = {"high": 0, "medium": 0, "low": 0}
    for p in gaps:
        severity_counts[p["severity"]] = severity_counts.get(p["severity"], 0) + 1
    progress = questionnaire.progress
    return ReportSnapshot.model_validate(
        {
            "schema_version": SCHEMA_VERSION,
            "organisation": {
                "id": assessment.organisation_id,
                "name": assessment.organisation.name,
            },
            "assessment": {
                "id": assessment.pk,
                "name": assessment.name,
                "status": assessment.status,
                "revision": assessment.revision,
                "scoping": assessment.scoping,
                "submitted_at": assessment.submitted_at.isoformat()
                if assessment.submitted_at
                else None,
            },
            "analysed_at": timezone.now().isoformat(),
            "progress": {"answered": progress.answered, "applicable": progress.applicable},
            "scores": {key: tally.score for key, tally in overall.items()},
            "scope_ja": scope_statements(assessment.scoping, "ja"),
            "scope_en": scope_statements(assessment.scoping, "en"),
            "frameworks": frameworks,
            "gaps": gaps,
            "watch": watch,
            "severity_counts": severity_counts,
        }
    )


def snapshot_sha256(snapshot: ReportSnapshot | dict[str, Any]) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces, UTF-8)."""
    if isinstance(snapshot, ReportSnapshot):
        snapshot = snapshot.dump()
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
