"""What changed between two frozen analyses: the baseline (the approved snapshot of the
organisation's previous approved assessment) and the analysis a report freezes now.

Only snapshots are compared, never live rows, so the section reads the same for as long as the
report exists. Frameworks are matched by framework URN and provisions by provision URN, so a
framework pinned to a newer version still compares provision by provision.

Example: baseline APPI 2022 with gaps Art. 26 (partial) and Art. 27 (gap); now APPI 2025 with a
gap at Art. 27 and Art. 28 only, and the AI Promotion Act added →
``frameworks=[APPI new_version 2022 → 2025, AI Act added]``, ``gaps_closed=[Art. 26]``,
``gaps_opened=[Art. 28]``.
"""

from __future__ import annotations

from frameworks.severity import SEVERITY_ORDER
from reports.snapshot import (
    ChangesSincePrevious,
    FrameworkChange,
    FrameworkResult,
    GapChange,
    ProvisionResult,
    ReportSnapshot,
)


def _framework_change(
    before: FrameworkResult | None, after: FrameworkResult | None
) -> FrameworkChange:
    either = after or before
    assert either is not None
    if before is None:
        change = "added"
    elif after is None:
        change = "removed"
    else:
        change = "same" if before.version == after.version else "new_version"
    return FrameworkChange(
        urn=either.urn,
        short_name_ja=either.short_name_ja,
        short_name_en=either.short_name_en,
        kind=either.kind,
        change=change,
        version_before=before.version if before else None,
        version_after=after.version if after else None,
        # Reported claims never carry a score, whatever an old snapshot stored.
        score_before=before.score if before and not before.watch_only else None,
        score_after=after.score if after and not after.watch_only else None,
    )


def _gap(p: ProvisionResult) -> GapChange:
    return GapChange(
        urn=p.urn,
        ref=p.ref,
        ref_ja=p.ref_ja,
        title_ja=p.title_ja,
        title_en=p.title_en,
        framework_short_ja=p.framework_short_ja,
        framework_short_en=p.framework_short_en,
        kind=p.kind,
        severity=p.severity,
        status=p.status,
    )


def _by_severity(gaps: list[GapChange]) -> list[GapChange]:
    return sorted(gaps, key=lambda g: (SEVERITY_ORDER.get(g.severity or "watch", 9), g.urn))


def snapshot_compare(
    *, baseline: ReportSnapshot, current: ReportSnapshot
) -> tuple[list[FrameworkChange], list[GapChange], list[GapChange]]:
    """``(frameworks, gaps_closed, gaps_opened)`` from ``baseline`` to ``current``.

    Gaps are compared only within frameworks present in both analyses: a framework added or
    removed is one line of ``frameworks``, not dozens of gaps. A baseline gap is closed when its
    provision is in the current analysis and no longer a gap (compliant, not applicable); a
    provision dropped from a newer version is neither closed nor opened.
    """
    before = {f.urn: f for f in baseline.frameworks}
    after = {f.urn: f for f in current.frameworks}
    urns = [*after, *(urn for urn in before if urn not in after)]
    frameworks = [_framework_change(before.get(urn), after.get(urn)) for urn in urns]

    shared = before.keys() & after.keys()
    now = {p.urn: p for urn in shared for p in after[urn].provisions()}
    then = {p.urn: p for urn in shared for p in before[urn].provisions()}
    closed = [_gap(p) for p in then.values() if p.is_gap and p.urn in now and not now[p.urn].is_gap]
    opened = [
        _gap(p) for p in now.values() if p.is_gap and not (p.urn in then and then[p.urn].is_gap)
    ]
    return frameworks, _by_severity(closed), _by_severity(opened)


def changes_since_previous_build(
    *,
    baseline: ReportSnapshot,
    current: ReportSnapshot,
    assessment_id: int,
    assessment_name: str,
    report_id: int,
    approved_at: str,
    snapshot_sha256: str,
) -> ChangesSincePrevious:
    """The typed section the report freezes (see :func:`snapshot_compare`)."""
    frameworks, closed, opened = snapshot_compare(baseline=baseline, current=current)
    return ChangesSincePrevious(
        assessment_id=assessment_id,
        assessment_name=assessment_name,
        report_id=report_id,
        approved_at=approved_at,
        snapshot_sha256=snapshot_sha256,
        statute_before=baseline.scores.statute,
        guideline_before=baseline.scores.guideline,
        frameworks=frameworks,
        gaps_closed=closed,
        gaps_opened=opened,
    )
