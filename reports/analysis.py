"""Gap analysis: scores, provision statuses and severities, from an assessment's answers.

The result is plain JSON (the report snapshot), so an issued report never
depends on rows that may change later. How it is computed (also printed on the
report's methodology page):

* A choice question scores the score of the chosen answer (0 to 1); a multiple-choice
  question the mean of the chosen answers. "Not applicable" is left out. An applicable
  required question left unanswered scores 0. Text, number and date questions are
  informational: they carry no score.
* A provision's score is the weighted mean of its questions' scores (question weights).
  Status: ``compliant`` (score 1), ``gap`` (score 0), ``partial`` (in between),
  ``unanswered`` (nothing answered yet), ``not_applicable`` (out of scope, or every
  question answered "not applicable").
* Section, framework and overall scores are weighted means over the questions below them.
  Government duties are never assessed, and reported claims (strength ``reported``)
  never count in any score: they are listed as "watch".
* Severity of a gap comes from the provision's strength: binding → high; binding without
  sanction and effort duties → medium; voluntary → low; reported → watch.

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
from frameworks.choices import CHOICE_QUESTION_TYPES, Strength
from frameworks.severity import SEVERITY_ORDER, provision_severity

SNAPSHOT_SCHEMA = 1
STATUS_ORDER = {"gap": 0, "unanswered": 1, "partial": 2}
OBLIGATIONS = {Strength.BINDING, Strength.BINDING_NO_SANCTION, Strength.EFFORT_DUTY}
GUIDELINES = {Strength.VOLUNTARY}
#: Which group of the report a provision's gaps are listed in.
GROUP_OF = {
    **{s: "obligations" for s in OBLIGATIONS},
    Strength.VOLUNTARY: "guidelines",
    Strength.REPORTED: "reported",
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


def _provision(pb, framework: dict[str, Any]) -> _Provision:
    provision = pb.provision
    visible = [b for b in pb.questions if b.visible]
    questions, tally = [], Tally()
    answered_any = False
    for block in visible:
        score = question_score(block)
        if score is not None:
            tally.add(score, block.question.weight)
        answer = block.answer
        answered_any |= bool(answer and answer.is_answered)
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
                "evidence": [
                    {"name": e.original_name, "sha256": e.sha256, "size": e.size}
                    for e in block.evidence
                ],
            }
        )
    if not pb.applicability.applies or not visible:
        status = "not_applicable"
    elif all(q["not_applicable"] for q in questions if q["answered"]) and all(
        q["answered"] for q in questions
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
    if not pb.applicability.applies:
        tally = Tally()
    source = provision.source
    data = {
        "urn": provision.urn,
        "ref": provision.ref,
        "title_ja": provision.title_ja,
        "title_en": provision.title_en,
        "strength": provision.strength,
        "severity": provision_severity(
            strength=provision.strength, enforcement=provision.enforcement
        ),
        "group": GROUP_OF.get(provision.strength),
        "status": status,
        "score": tally.score,
        "applies": pb.applicability.applies,
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
        "framework_short_ja": framework["short_name_ja"],
        "framework_short_en": framework["short_name_en"],
        "questions": questions,
    }
    return _Provision(data, tally)


def _counts_in_score(strength: str) -> bool:
    return strength not in (Strength.REPORTED, Strength.GOVERNMENT_DUTY)


def _section(
    block: SectionBlock, framework: dict[str, Any], depth: int, totals: dict[str, Tally]
) -> tuple[dict[str, Any], Tally]:
    tally = Tally()
    provisions = []
    for pb in block.provisions:
        item = _provision(pb, framework)
        provisions.append(item.data)
        strength = pb.provision.strength
        if _counts_in_score(strength):
            tally.merge(item.tally)
            totals["obligations" if strength in OBLIGATIONS else "guidelines"].merge(item.tally)
    children = []
    for child in block.children:
        child_data, child_tally = _section(child, framework, depth + 1, totals)
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


def gap_analysis_compute(
    *, assessment: Assessment, questionnaire: Questionnaire | None = None
) -> dict[str, Any]:
    """The full analysis of ``assessment`` as JSON-ready data (the report snapshot)."""
    questionnaire = questionnaire or questionnaire_build(assessment=assessment)
    overall = {"all": Tally(), "obligations": Tally(), "guidelines": Tally()}
    frameworks, gaps, watch = [], [], []
    for fb in questionnaire.frameworks:
        version = fb.pin.version
        framework = {
            "urn": fb.pin.framework.urn,
            "name_ja": version.name_ja,
            "name_en": version.name_en,
            "short_name_ja": version.short_name_ja,
            "short_name_en": version.short_name_en,
            "version": version.version,
            "effective_date": version.effective_date.isoformat()
            if version.effective_date
            else None,
            "legal_status": version.legal_status,
            "content_hash": version.content_hash,
        }
        totals = {"obligations": Tally(), "guidelines": Tally()}
        framework_tally = Tally()
        sections = []
        for root in fb.sections:
            data, tally = _section(root, framework, 0, totals)
            framework_tally.merge(tally)
            sections.append(data)
        counts = {"compliant": 0, "partial": 0, "gap": 0, "unanswered": 0, "not_applicable": 0}
        for section in sections:
            for provision in _walk_provisions(section):
                if provision["strength"] == Strength.GOVERNMENT_DUTY:
                    continue
                counts[provision["status"]] += 1
                if provision["status"] in ("gap", "partial", "unanswered"):
                    (watch if provision["strength"] == Strength.REPORTED else gaps).append(
                        provision
                    )
        for key in ("obligations", "guidelines"):
            overall[key].merge(totals[key])
        overall["all"].merge(framework_tally)
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
            SEVERITY_ORDER[p["severity"]],
            STATUS_ORDER[p["status"]],
            p["score"] if p["score"] is not None else 0,
        )
    )
    progress = questionnaire.progress
    return {
        "schema": SNAPSHOT_SCHEMA,
        "organisation": {"id": assessment.organisation_id, "name": assessment.organisation.name},
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
        "frameworks": frameworks,
        "gaps": gaps,
        "watch": watch,
    }


def snapshot_sha256(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
