"""The report snapshot: the typed, versioned record of one gap analysis.

A report freezes the analysis when it is requested; the PDF and the HTML view are rendered from
this snapshot only, so an issued report never depends on rows that change later. The snapshot is
stored as JSON on the Report row (``ReportSnapshot.model_dump(mode="json")``), and its SHA-256 is
the SHA-256 of that dump's canonical JSON.

Example (abridged)::

    ReportSnapshot(schema_version=3, organisation=OrganisationRef(id=3, name="Acme AI"),
                   frameworks=[FrameworkResult(short_name_en="APPI", kind="statute", ...)],
                   gaps=[ProvisionResult(ref="Art. 26", severity="high", status="partial", ...)],
                   watch=[ProvisionResult(ref="Tier 1", kind="reported", status=None, ...)])

Schema versions:

* 1 (before 2026-11): a free dict with ``"schema": 1``; reported claims carried statuses and
  percentages, and there was no framework kind. :func:`snapshot_load` upgrades it on reading.
* 2: this module. Reported claims carry no status and no score; every framework has its kind
  (statute / guideline / reported) and ``watch_only``; provisions carry enforcement, notes and
  the Japanese citation (``ref_ja``).
* 3: adds ``previous``, what changed since the organisation's previous approved assessment
  (:class:`ChangesSincePrevious`, None when there is none). A schema-2 snapshot reads as is,
  with ``previous`` None; its stored dict and hash are never rewritten.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from frameworks.choices import framework_kind

SCHEMA_VERSION = 3

#: Provision statuses of the analysis. ``applies``: in scope, but no question assesses it.
STATUSES = ("compliant", "partial", "gap", "unanswered", "applies", "not_applicable")
#: The provision statuses that make a gap: such a provision is listed in ``ReportSnapshot.gaps``.
GAP_STATUSES = frozenset({"gap", "partial", "unanswered"})


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class OrganisationRef(_Model):
    id: int
    name: str


class AssessmentRef(_Model):
    id: int
    name: str
    status: str
    revision: int = 0
    scoping: dict[str, Any] = Field(default_factory=dict)
    submitted_at: str | None = None


class Progress(_Model):
    """Questions, not provisions: ``answered`` of the ``applicable`` questions."""

    answered: int = 0
    applicable: int = 0


class Scores(_Model):
    """Weighted scores (0-1), None where nothing is scored.

    ``statute`` and ``guideline`` are by framework kind and are what the report shows; ``all``,
    ``obligations`` and ``guidelines`` (by provision strength) are kept for schema-1 readers.
    """

    all: float | None = None
    obligations: float | None = None
    guidelines: float | None = None
    statute: float | None = None
    guideline: float | None = None


class Evidence(_Model):
    name: str
    sha256: str
    size: int
    uploaded_by: str = ""
    uploaded_at: str | None = None


class QuestionResult(_Model):
    urn: str
    prompt_ja: str
    prompt_en: str
    type: str
    required: bool = False
    weight: float = 1
    answered: bool = False
    answer_ja: str = ""
    answer_en: str = ""
    not_applicable: bool = False
    justification: str = ""
    comment: str = ""
    needs_review: bool = False
    score: float | None = None
    remediation_ja: str = ""
    remediation_en: str = ""
    evidence_expected: bool = False
    evidence: list[Evidence] = Field(default_factory=list)

    @property
    def falls_short(self) -> bool:
        """An answer that scores below full marks, or a required question left unanswered: the
        questions a gap lists with their remediation (``Partly`` falls short, ``Yes`` and "not
        applicable" do not)."""
        return (self.score is not None and self.score < 1) or (self.required and not self.answered)


class SourceRef(_Model):
    title: str = ""
    publisher: str = ""
    url: str = ""
    confidence: str = ""


class ProvisionResult(_Model):
    """One provision's result. ``status`` and ``score`` are None for reported claims."""

    urn: str
    ref: str
    ref_ja: str = ""
    title_ja: str
    title_en: str
    strength: str
    kind: str = "statute"
    severity: str | None = None
    enforcement: str = ""
    enforcement_articles: list[str] = Field(default_factory=list)
    group: str | None = None
    status: str | None = None
    score: float | None = None
    applies: bool = True
    has_questions: bool = True
    reasons_ja: list[str] = Field(default_factory=list)
    reasons_en: list[str] = Field(default_factory=list)
    confidence: str = ""
    source: SourceRef = Field(default_factory=SourceRef)
    law_id: str = ""
    articles: list[dict[str, Any]] = Field(default_factory=list)
    note_ja: str = ""
    note_en: str = ""
    framework_short_ja: str = ""
    framework_short_en: str = ""
    questions: list[QuestionResult] = Field(default_factory=list)

    @property
    def is_reported(self) -> bool:
        return self.kind == "reported"

    @property
    def is_gap(self) -> bool:
        return self.status in GAP_STATUSES

    def _in_gap(self, question: QuestionResult) -> bool:
        return self.is_gap and question.falls_short

    @property
    def gap_questions(self) -> list[QuestionResult]:
        """The questions this provision's gap lists (none if it is not a gap). The report prints
        them once, in the gap with their remediation; the framework chapter points there."""
        return [q for q in self.questions if self._in_gap(q)]

    @property
    def record_questions(self) -> list[QuestionResult]:
        """The questions the framework chapter prints under the provision: all but its gap's."""
        return [q for q in self.questions if not self._in_gap(q)]


class SectionResult(_Model):
    ref: str = ""
    title_ja: str
    title_en: str
    depth: int = 0
    score: float | None = None
    provisions: list[ProvisionResult] = Field(default_factory=list)
    children: list[SectionResult] = Field(default_factory=list)

    def walk(self):
        """Every provision of this section and its subsections, in order."""
        yield from self.provisions
        for child in self.children:
            yield from child.walk()


class Counts(_Model):
    """Provisions (not questions) per status; ``watch``: reported claims listed for monitoring."""

    compliant: int = 0
    partial: int = 0
    gap: int = 0
    unanswered: int = 0
    applies: int = 0
    not_applicable: int = 0
    watch: int = 0


class FrameworkResult(_Model):
    urn: str
    name_ja: str
    name_en: str
    short_name_ja: str
    short_name_en: str
    version: str
    effective_date: str | None = None
    legal_status: str
    kind: str = "statute"
    watch_only: bool = False
    notes_ja: str = ""
    notes_en: str = ""
    content_hash: str = ""
    score: float | None = None
    obligations_score: float | None = None
    guidelines_score: float | None = None
    counts: Counts = Field(default_factory=Counts)
    sections: list[SectionResult] = Field(default_factory=list)

    def provisions(self):
        for section in self.sections:
            yield from section.walk()


class ActionItem(_Model):
    """One remediation action as the report froze it (issue 12's action-plan section)."""

    title: str
    owner: str = ""
    status: str
    status_ja: str = ""
    status_en: str = ""
    due_date: str | None = None
    overdue: bool = False
    refs: list[str] = Field(default_factory=list)
    refs_ja: list[str] = Field(default_factory=list)


# --- Changes since the previous approved assessment (issue 11) -------------------------------


class FrameworkChange(_Model):
    """One framework in either analysis, matched by framework URN (not by version).

    ``change``: ``added`` (not in the baseline), ``removed`` (only in the baseline),
    ``new_version`` (pinned to another version) or ``same``. Scores are the framework's own
    (0-1, None when nothing is scored or for reported claims); statute and guideline frameworks
    are never added together. Example: ``FrameworkChange(urn="urn:tekigo:fw:appi", kind="statute",
    change="new_version", version_before="2022", version_after="2025", score_before=0.5,
    score_after=0.75)``.
    """

    urn: str
    short_name_ja: str
    short_name_en: str
    kind: str = "statute"
    change: str
    version_before: str | None = None
    version_after: str | None = None
    score_before: float | None = None
    score_after: float | None = None

    @property
    def score_delta(self) -> float | None:
        if self.score_before is None or self.score_after is None:
            return None
        return round(self.score_after - self.score_before, 4)


class GapChange(_Model):
    """A gap (provision with status gap / partial / unanswered) that closed or newly opened,
    matched across framework versions by provision URN. ``status`` and ``severity`` are those of
    the analysis where it is a gap: the baseline for a closed gap, this one for an opened gap."""

    urn: str
    ref: str
    ref_ja: str = ""
    title_ja: str
    title_en: str
    framework_short_ja: str = ""
    framework_short_en: str = ""
    kind: str = "statute"
    severity: str | None = None
    status: str | None = None


class ChangesSincePrevious(_Model):
    """What changed between the approved snapshot of the organisation's previous approved
    assessment (the baseline) and this analysis: two frozen analyses, never live rows.

    Example: baseline *FY2025 review* (report 12, approved 2026-04-01): APPI statute score
    50 % → 75 %, one gap closed (Art. 26), one opened (Art. 27), the AI Promotion Act added.
    """

    assessment_id: int
    assessment_name: str
    report_id: int
    approved_at: str
    snapshot_sha256: str
    #: The baseline's headline scores by kind (statute / guideline); this analysis has its own.
    statute_before: float | None = None
    guideline_before: float | None = None
    frameworks: list[FrameworkChange] = Field(default_factory=list)
    gaps_closed: list[GapChange] = Field(default_factory=list)
    gaps_opened: list[GapChange] = Field(default_factory=list)

    @property
    def frameworks_by_kind(self) -> list[tuple[str, list[FrameworkChange]]]:
        """``[("statute", [...]), ("guideline", [...])]``: scored kinds only, each apart."""
        return [
            (kind, rows)
            for kind in ("statute", "guideline")
            if (rows := [f for f in self.frameworks if f.kind == kind])
        ]

    @property
    def frameworks_changed(self) -> list[FrameworkChange]:
        """Frameworks added, removed or pinned to another version (any kind)."""
        return [f for f in self.frameworks if f.change != "same"]


class ReportSnapshot(_Model):
    schema_version: int = SCHEMA_VERSION
    organisation: OrganisationRef
    assessment: AssessmentRef
    analysed_at: str
    progress: Progress = Field(default_factory=Progress)
    scores: Scores = Field(default_factory=Scores)
    #: The scoping profile in words, one statement per fact (``["個人情報を取り扱っている", ...]``).
    scope_ja: list[str] = Field(default_factory=list)
    scope_en: list[str] = Field(default_factory=list)
    frameworks: list[FrameworkResult] = Field(default_factory=list)
    #: Gaps of statutes and guidelines: grouped by kind, then strength, then severity.
    gaps: list[ProvisionResult] = Field(default_factory=list)
    #: Every reported claim, whether or not it would concern the organisation.
    watch: list[ProvisionResult] = Field(default_factory=list)
    #: High / medium / low gap counts (provisions).
    severity_counts: dict[str, int] = Field(default_factory=dict)
    #: The assessment's remediation actions when the report was asked for, overdue first.
    actions: list[ActionItem] = Field(default_factory=list)
    #: Changes since the organisation's previous approved assessment (schema 3), None if none.
    previous: ChangesSincePrevious | None = None

    def dump(self) -> dict[str, Any]:
        """The JSON stored on the Report row and hashed into ``snapshot_sha256``."""
        return self.model_dump(mode="json")

    @property
    def top_gaps(self) -> list[ProvisionResult]:
        """The ten most serious gaps: severity, then status, then lowest score."""
        from frameworks.severity import SEVERITY_ORDER

        order = {"gap": 0, "unanswered": 1, "partial": 2}
        ranked = sorted(
            self.gaps,
            key=lambda p: (
                SEVERITY_ORDER.get(p.severity or "watch", 9),
                order.get(p.status or "", 3),
                p.score if p.score is not None else 0,
            ),
        )
        return ranked[:10]

    @property
    def gap_groups(self) -> list[tuple[str, list[ProvisionResult]]]:
        """``[("statute", [...]), ("guideline", [...])]``: gaps grouped by framework kind."""
        groups: dict[str, list[ProvisionResult]] = {}
        for p in self.gaps:
            groups.setdefault(p.kind, []).append(p)
        return [(k, groups[k]) for k in ("statute", "guideline") if k in groups]

    @property
    def statute_frameworks(self) -> list[FrameworkResult]:
        return [f for f in self.frameworks if f.kind == "statute"]

    @property
    def guideline_frameworks(self) -> list[FrameworkResult]:
        return [f for f in self.frameworks if f.kind == "guideline"]

    @property
    def evidence_files(self) -> list[tuple[ProvisionResult, QuestionResult, Evidence]]:
        return [
            (p, q, e)
            for f in self.frameworks
            for p in f.provisions()
            for q in p.questions
            for e in q.evidence
        ]

    @property
    def evidence_missing(self) -> list[tuple[ProvisionResult, QuestionResult]]:
        """Applicable questions that expect evidence and have none (N/A answers excepted)."""
        return [
            (p, q)
            for f in self.frameworks
            for p in f.provisions()
            if p.applies
            for q in p.questions
            if q.evidence_expected and not q.evidence and not q.not_applicable
        ]


# --- Schema 1 ----------------------------------------------------------------------------------


def _upgrade_provision_v1(p: dict[str, Any], kind: str) -> dict[str, Any]:
    p = dict(p)
    p["kind"] = kind
    p["group"] = kind
    if p.get("strength") == "reported" or kind == "reported":
        p["status"], p["score"] = None, None  # reported claims never had a real status
    return p


def _upgrade_section_v1(section: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        **section,
        "provisions": [_upgrade_provision_v1(p, kind) for p in section.get("provisions", [])],
        "children": [_upgrade_section_v1(c, kind) for c in section.get("children", [])],
    }


def upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A schema-1 snapshot dict as schema-2 data (nothing is recomputed, only reshaped)."""
    kinds_by_name: dict[str, str] = {}
    frameworks = []
    for f in data.get("frameworks", []):
        kind = framework_kind(f["legal_status"])
        kinds_by_name[f.get("short_name_en", "")] = kind
        counts = dict(f.get("counts") or {})
        if kind == "reported":
            counts = {"watch": sum(counts.values())}
        frameworks.append(
            {
                **f,
                "kind": kind,
                "watch_only": kind == "reported",
                "score": None if kind == "reported" else f.get("score"),
                "counts": counts,
                "sections": [_upgrade_section_v1(s, kind) for s in f.get("sections", [])],
            }
        )

    def kind_of(p: dict[str, Any]) -> str:
        return kinds_by_name.get(p.get("framework_short_en", ""), "statute")

    gaps = [_upgrade_provision_v1(p, kind_of(p)) for p in data.get("gaps", [])]
    severity_counts: dict[str, int] = {}
    for p in gaps:
        severity_counts[p.get("severity") or ""] = (
            severity_counts.get(p.get("severity") or "", 0) + 1
        )
    return {
        **{k: v for k, v in data.items() if k != "schema"},
        "schema_version": SCHEMA_VERSION,
        "frameworks": frameworks,
        "gaps": gaps,
        "watch": [_upgrade_provision_v1(p, "reported") for p in data.get("watch", [])],
        "severity_counts": severity_counts,
    }


def snapshot_load(data: dict[str, Any]) -> ReportSnapshot:
    """The typed snapshot of a stored dict, of either schema version.

    Example: ``snapshot_load(report.snapshot).frameworks[0].kind == "statute"``.
    """
    if data.get("schema_version") is None and data.get("schema", 1) == 1:
        data = upgrade_v1(data)
    return ReportSnapshot.model_validate(data)
