"""An assessment's results as OSCAL assessment results (JSON), built with compliance-trestle.

One OSCAL result per export, holding one finding per assessed provision: its target is the
provision's control in the framework version's OSCAL catalog (:mod:`frameworks.oscal`, same
control ids), its state ``satisfied`` (compliant) or ``not-satisfied`` (partly compliant, gap,
unanswered), and Tekigo's own status, score, severity, strength and framework are props.
Provisions that do not apply and reported claims (never scored, never a status) are left out.

Example finding (abridged)::

    {"title": "Art. 26 Reporting leaks", "target": {"type": "objective-id", "target-id": "prov.art-26",
     "status": {"state": "not-satisfied"}}, "props": [{"name": "tekigo-status", "value": "gap"}, …]}
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from trestle.oscal import assessment_results as oscal_ar
from trestle.oscal import catalog as oscal_catalog
from trestle.oscal import common as oscal

from assessments.models import Assessment
from frameworks.oscal import NS, UUID_NAMESPACE, oscal_id
from reports.analysis import gap_analysis_compute

SCORED_STATES = {
    "compliant": "satisfied",
    "partial": "not-satisfied",
    "gap": "not-satisfied",
    "unanswered": "not-satisfied",
}


def _prop(name: str, value) -> oscal.Property:
    return oscal.Property(name=name, ns=NS, value=str(value))


def assessment_oscal_results(*, assessment: Assessment) -> oscal_ar.AssessmentResults:
    snapshot = gap_analysis_compute(assessment=assessment)
    analysed = dt.datetime.fromisoformat(snapshot.analysed_at)
    findings = []
    for framework in snapshot.frameworks:
        if framework.watch_only:  # reported claims: never a status, never a finding
            continue
        prefix = framework.urn + ":"
        for provision in framework.provisions():
            state = SCORED_STATES.get(provision.status)
            if (
                state is None
                or not provision.applies
                or provision.strength in ("reported", "government_duty")
            ):
                continue
            props = [
                _prop("tekigo-status", provision.status),
                _prop("strength", provision.strength),
                _prop("framework-urn", framework.urn),
                _prop("framework-version", framework.version),
            ]
            if provision.severity:
                props.append(_prop("severity", provision.severity))
            if provision.score is not None:
                props.append(_prop("score", f"{provision.score:.4f}"))
            findings.append(
                oscal.Finding(
                    uuid=str(
                        uuid.uuid5(
                            UUID_NAMESPACE,
                            f"{assessment.pk}|{snapshot.analysed_at}|{provision.urn}",
                        )
                    ),
                    title=f"{provision.ref} {provision.title_en}",
                    description=" / ".join(provision.reasons_en) or provision.title_en,
                    props=props,
                    target=oscal.FindingTarget(
                        type=oscal.FindingTargetTypeValidValues.objective_id,
                        target_id=oscal_id(provision.urn, prefix),
                        status=oscal.ObjectiveStatus(
                            state=oscal.ObjectiveStatusStateValidValues(state)
                        ),
                    ),
                )
            )
    result = oscal_ar.Result(
        uuid=str(uuid.uuid5(UUID_NAMESPACE, f"{assessment.pk}|{snapshot.analysed_at}")),
        title=f"Tekigo self-assessment: {assessment.name}",
        description=f"Gap analysis of assessment {assessment.pk} of {assessment.organisation.name}.",
        start=analysed,
        props=[
            _prop("assessment-status", assessment.status),
            _prop(
                "progress",
                f"{snapshot.progress.answered}/{snapshot.progress.applicable}",
            ),
        ],
        reviewed_controls=oscal.ReviewedControls(
            control_selections=[oscal.ControlSelectionsAll(include_all=oscal.IncludeAll())]
        ),
        findings=findings or None,
    )
    return oscal_ar.AssessmentResults(
        uuid=str(uuid.uuid5(UUID_NAMESPACE, f"assessment|{assessment.pk}|{snapshot.analysed_at}")),
        metadata=oscal.Metadata(
            title=f"{assessment.name} ({assessment.organisation.name})",
            last_modified=analysed,
            version=str(assessment.revision),
            oscal_version=oscal.OscalVersion(oscal_catalog.OSCAL_VERSION),
        ),
        import_ap=oscal_ar.ImportAp(href=f"urn:tekigo:assessment:{assessment.pk}"),
        results=[result],
    )


def assessment_oscal_json(*, assessment: Assessment) -> str:
    results = assessment_oscal_results(assessment=assessment)
    return json.dumps(
        {
            "assessment-results": json.loads(
                results.oscal_serialize_json(pretty=False, wrapped=False)
            )
        },
        ensure_ascii=False,
        indent=2,
    )
