"""The portfolio dashboard: where an organisation stands across its assessments and over time.

Per assessment: the score of each pinned framework (statutes and guidance apart, by
``frameworks.choices.framework_kind``), open high-severity gaps (``frameworks.severity``, via the
gap analysis), and actions by status with the overdue ones. Over time: a trend chart of the
scores and a heat map of provision statuses across assessments, both drawn here as SVG and
readable without colour (labels, markers, line dashes and fill patterns).

Example: Sample AI K.K. with three assessments (a year ago 41 %, six months ago 63 %, now 78 %):
the trend rises; APPI Art. 26 turns from "✗" to "◐" to "✓" along its heat-map row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessments.models import Assessment
from assessments.selectors import action_counts_by_assessment, questionnaire_build_many
from frameworks.choices import FrameworkKind, framework_kind
from portal.models import Organisation
from reports.analysis import gap_analysis_compute
from reports.snapshot import ProvisionResult, SectionResult

#: Heat-map columns: the most recent assessments only, so that the map stays readable.
HEATMAP_COLUMNS = 12
STATUS_MARK = {
    "compliant": "✓",
    "partial": "◐",
    "gap": "✗",
    "unanswered": "?",
    "not_applicable": "–",
}


@dataclass
class FrameworkScore:
    short_name: str
    kind: str
    score: float | None


@dataclass
class PortfolioRow:
    """One assessment's line of the dashboard."""

    assessment: Assessment
    date: dt.date
    overall: float | None
    statute: float | None
    guideline: float | None
    frameworks: list[FrameworkScore]
    high_gaps: int
    actions: dict[str, int]
    statuses: dict[str, str] = field(default_factory=dict)  # provision URN → status

    @property
    def overall_percent(self) -> int | None:
        return None if self.overall is None else round(self.overall * 100)


@dataclass
class Portfolio:
    organisation: Organisation
    rows: list[PortfolioRow]
    provisions: list[tuple[str, str]]  # (URN, label) in first-seen order

    @property
    def trend_svg(self) -> SafeString:
        return trend_svg(self.rows)

    @property
    def heatmap_svg(self) -> SafeString:
        return heatmap_svg(self.rows[-HEATMAP_COLUMNS:], self.provisions)


def _mean(values: list[float | None]) -> float | None:
    scored = [v for v in values if v is not None]
    return round(sum(scored) / len(scored), 4) if scored else None


def portfolio_get(*, organisation: Organisation, today: dt.date | None = None) -> Portfolio:
    """The dashboard of ``organisation``: one row per assessment, oldest first.

    A constant number of queries whatever the number of assessments: the assessments, their
    pins, answers and evidence (``questionnaire_build_many``) and the action counts.
    """
    english = (get_language() or "ja").startswith("en")
    assessments = list(
        Assessment.objects.filter(organisation=organisation)
        .select_related("organisation")
        .order_by("created_at", "id")
    )
    questionnaires = questionnaire_build_many(assessments=assessments)
    actions = action_counts_by_assessment(assessment_ids=[a.pk for a in assessments], today=today)
    rows: list[PortfolioRow] = []
    provisions: dict[str, str] = {}
    for assessment in assessments:
        # The typed snapshot, read directly (dumping 50 analyses to JSON only to read a few fields
        # cost a fifth of the page), without question rows: the dashboard shows scores, statuses
        # and severities only, computed the same way with or without them (issue 12, speed). No
        # question rows, no evidence: the uploaders' names are not needed either.
        analysis = gap_analysis_compute(
            assessment=assessment,
            questionnaire=questionnaires[assessment.pk],
            with_questions=False,
        )
        frameworks = [
            FrameworkScore(
                fw.short_name_en if english else fw.short_name_ja,
                framework_kind(fw.legal_status),
                fw.score,
            )
            for fw in analysis.frameworks
        ]
        statuses: dict[str, str] = {}
        for fw in analysis.frameworks:
            short_name = fw.short_name_en if english else fw.short_name_ja
            for section in fw.sections:
                for provision in _walk(section):
                    if provision.severity is None or provision.status in (None, "applies"):
                        # Government duties are never assessed, reported claims never scored, and
                        # a provision in scope with nothing to ask ("applies") has no status to map.
                        continue
                    statuses[provision.urn] = provision.status
                    provisions.setdefault(provision.urn, f"{short_name} {provision.ref}")
        rows.append(
            PortfolioRow(
                assessment=assessment,
                date=(assessment.submitted_at or assessment.created_at).date(),
                overall=analysis.scores.all,
                statute=_mean([f.score for f in frameworks if f.kind == FrameworkKind.STATUTE]),
                guideline=_mean([f.score for f in frameworks if f.kind == FrameworkKind.GUIDELINE]),
                frameworks=frameworks,
                high_gaps=sum(1 for g in analysis.gaps if g.severity == "high"),
                actions=actions[assessment.pk],
                statuses=statuses,
            )
        )
    rows.sort(key=lambda r: (r.date, r.assessment.pk))
    return Portfolio(organisation, rows, list(provisions.items()))


def _walk(section: SectionResult) -> Iterator[ProvisionResult]:
    yield from section.provisions
    for child in section.children:
        yield from _walk(child)


# --- SVG ---------------------------------------------------------------------------------------

# Each series has its own dash pattern and marker shape, so it reads in greyscale too.
_SERIES = [
    ("overall", "#1f4e8c", "", "circle"),
    ("statute", "#b5412c", "6 3", "square"),
    ("guideline", "#3c7d3c", "2 3", "triangle"),
]


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    return (
        f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}" '
        f'fill="{colour}"/>'
    )


def trend_svg(rows: list[PortfolioRow]) -> SafeString:
    """A line chart of the overall, statute and guideline scores of each assessment, oldest first."""
    labels = {
        "overall": _("Overall"),
        "statute": _("Statutes"),
        "guideline": _("Guidelines"),
    }
    width, height, left, right, top, bottom = 720, 260, 48, 20, 20, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(rows), 1)

    def x_of(index: int) -> float:
        return left + (plot_w * (index + 0.5) / count)

    def y_of(score: float) -> float:
        return top + plot_h * (1 - score)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="trend-title" '
        f'class="trend-chart">',
        f'<title id="trend-title">{escape(_("Scores over time"))}</title>',
    ]
    for pct in (0, 25, 50, 75, 100):
        y = y_of(pct / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{pct}%</text>'
        )
    for index, row in enumerate(rows):
        parts.append(
            f'<text x="{x_of(index):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'font-size="11">{row.date:%Y-%m}</text>'
        )
    for key, colour, dash, shape in _SERIES:
        points = [
            (x_of(i), y_of(getattr(r, key)), getattr(r, key))
            for i, r in enumerate(rows)
            if getattr(r, key) is not None
        ]
        if not points:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _s in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}>'
            f"<title>{escape(labels[key])}</title></polyline>"
        )
        for x, y, score in points:
            parts.append(_marker(shape, x, y, colour))
            if key == "overall":
                parts.append(
                    f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="11">'
                    f"{round(score * 100)}%</text>"
                )
    # Legend: marker, dash and name for each series.
    for index, (key, colour, dash, shape) in enumerate(_SERIES):
        lx = left + index * 170
        ly = height - 14
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 30}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2"{dash_attr}/>{_marker(shape, lx + 15, ly, colour)}'
            f'<text x="{lx + 38}" y="{ly + 4}" font-size="12">{escape(labels[key])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


_FILL = {
    "compliant": ("#cfe8cf", ""),
    "partial": ("#fbe3b0", "url(#hm-dots)"),
    "gap": ("#f4c2bb", "url(#hm-hatch)"),
    "unanswered": ("#eeeeee", ""),
    "not_applicable": ("#ffffff", ""),
}


def heatmap_svg(rows: list[PortfolioRow], provisions: list[tuple[str, str]]) -> SafeString:
    """Provisions (rows) across assessments (columns): each cell a status with its mark.

    Colour is doubled by a mark (✓ ◐ ✗ ? –) and a fill pattern (dots for partial, hatching for a
    gap), and every cell has a title, so the map reads without colour.
    """
    status_label = {
        "compliant": _("Compliant"),
        "partial": _("Partial"),
        "gap": _("Gap"),
        "unanswered": _("Unanswered"),
        "not_applicable": _("Not applicable"),
    }
    cell_w, cell_h, label_w, head_h = 44, 20, 320, 60
    # Wide enough for the legend below the map.
    width = max(label_w + cell_w * max(len(rows), 1) + 10, 720)
    height = head_h + cell_h * len(provisions) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="heatmap-title" '
        f'class="heatmap">',
        f'<title id="heatmap-title">{escape(_("Provisions across assessments"))}</title>',
        "<defs>"
        '<pattern id="hm-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#f4c2bb"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#b5412c" stroke-width="2"/></pattern>'
        '<pattern id="hm-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#fbe3b0"/><circle cx="3" cy="3" r="1.2" fill="#a86b00"/>'
        "</pattern></defs>",
    ]
    for column, row in enumerate(rows):
        x = label_w + column * cell_w + cell_w / 2 - 4
        parts.append(
            f'<text x="{x:.1f}" y="{head_h - 6}" text-anchor="start" font-size="10" '
            f'transform="rotate(-50 {x:.1f} {head_h - 6})">{row.date:%Y-%m}</text>'
        )
    for line, (urn, label) in enumerate(provisions):
        y = head_h + line * cell_h
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="11">'
            f"{escape(label if len(label) <= 30 else label[:29] + '…')}</text>"
        )
        for column, row in enumerate(rows):
            status = row.statuses.get(urn)
            x = label_w + column * cell_w
            if status is None:
                continue
            colour, pattern = _FILL[status]
            name = status_label[status]
            parts.append(
                f"<g><title>{escape(label)} · {row.date:%Y-%m} · {escape(name)}</title>"
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{pattern or colour}" stroke="#999"/>'
                f'<text x="{x + cell_w / 2:.1f}" y="{y + 14}" text-anchor="middle" '
                f'font-size="12">{STATUS_MARK[status]}</text></g>'
            )
    legend_y = head_h + cell_h * len(provisions) + 24
    for index, status in enumerate(STATUS_MARK):
        lx = 10 + index * 140
        colour, pattern = _FILL[status]
        parts.append(
            f'<rect x="{lx}" y="{legend_y - 12}" width="18" height="16" fill="{pattern or colour}" '
            f'stroke="#999"/><text x="{lx + 9}" y="{legend_y}" text-anchor="middle" '
            f'font-size="11">{STATUS_MARK[status]}</text>'
            f'<text x="{lx + 24}" y="{legend_y}" font-size="11">{escape(status_label[status])}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
