"""The typed report snapshot: schema version, canonical hash, and old (schema 1) snapshots."""

import copy
import hashlib
import json

import pytest

from reports.analysis import gap_analysis_compute, snapshot_sha256
from reports.rendering import report_html_render
from reports.snapshot import (
    SCHEMA_VERSION,
    ProvisionResult,
    QuestionResult,
    ReportSnapshot,
    snapshot_load,
)

pytestmark = pytest.mark.django_db

META = {"report_id": "1", "issued_at": "2026-01-01 09:00 JST", "snapshot_sha256": "x"}


def _provision(urn, strength, status, score, framework="APPI"):
    return {
        "urn": urn,
        "ref": "Art. 1",
        "title_ja": "題",
        "title_en": "Title",
        "strength": strength,
        "severity": "watch" if strength == "reported" else "high",
        "group": "reported" if strength == "reported" else "obligations",
        "status": status,
        "score": score,
        "applies": True,
        "reasons_ja": [],
        "reasons_en": [],
        "confidence": "verified_primary",
        "source": {"title": "e-Gov", "publisher": "デジタル庁", "url": "", "confidence": "x"},
        "law_id": "",
        "articles": [],
        "framework_short_ja": framework,
        "framework_short_en": framework,
        "questions": [],
    }


def _framework(short, legal_status, provision, score):
    return {
        "urn": f"urn:tekigo:fw:{short.lower()}",
        "name_ja": short,
        "name_en": short,
        "short_name_ja": short,
        "short_name_en": short,
        "version": "1",
        "effective_date": "2025-09-01",
        "legal_status": legal_status,
        "content_hash": "h",
        "score": score,
        "obligations_score": score,
        "guidelines_score": None,
        "counts": {"compliant": 0, "partial": 1, "gap": 0, "unanswered": 0, "not_applicable": 0},
        "sections": [
            {
                "ref": "",
                "title_ja": "章",
                "title_en": "Chapter",
                "depth": 0,
                "score": score,
                "provisions": [provision],
                "children": [],
            }
        ],
    }


#: A snapshot as schema 1 stored it (reports issued before the typed snapshot).
V1 = {
    "schema": 1,
    "organisation": {"id": 1, "name": "Acme AI"},
    "assessment": {
        "id": 1,
        "name": "FY2025",
        "status": "in_progress",
        "revision": 3,
        "scoping": {"roles": ["ai_provider"]},
        "submitted_at": None,
    },
    "analysed_at": "2025-12-01T00:00:00+00:00",
    "progress": {"answered": 1, "applicable": 2},
    "scores": {"all": 0.5, "obligations": 0.5, "guidelines": None},
    "frameworks": [
        _framework("APPI", "statute", _provision("urn:a", "binding", "partial", 0.5), 0.5),
        _framework(
            "Tiers",
            "reported_unverified",
            _provision("urn:t", "reported", "gap", 0.0, "Tiers"),
            0.0,
        ),
    ],
    "gaps": [_provision("urn:a", "binding", "partial", 0.5)],
    "watch": [_provision("urn:t", "reported", "gap", 0.0, "Tiers")],
}


def test_the_analysis_is_a_typed_snapshot_of_the_current_schema(assessment):
    snapshot = gap_analysis_compute(assessment=assessment)
    assert isinstance(snapshot, ReportSnapshot) and snapshot.schema_version == SCHEMA_VERSION == 3
    dumped = snapshot.dump()
    assert ReportSnapshot.model_validate(dumped) == snapshot  # the dump round-trips
    assert snapshot_load(dumped).dump() == dumped


def test_the_hash_is_of_the_canonical_json_of_the_dump(assessment):
    snapshot = gap_analysis_compute(assessment=assessment)
    canonical = json.dumps(
        snapshot.dump(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    expected = hashlib.sha256(canonical.encode()).hexdigest()
    assert snapshot_sha256(snapshot) == snapshot_sha256(snapshot.dump()) == expected


def test_a_schema_1_snapshot_is_upgraded_without_recomputing():
    stored = copy.deepcopy(V1)
    snapshot = snapshot_load(stored)
    assert stored == V1  # the stored row is never modified
    appi, tiers = snapshot.frameworks
    assert (appi.kind, appi.watch_only, appi.score) == ("statute", False, 0.5)
    assert (tiers.kind, tiers.watch_only, tiers.score) == ("reported", True, None)
    assert [p.status for p in tiers.provisions()] == [None]  # reported claims lose their status
    assert snapshot.watch[0].status is None and snapshot.gaps[0].status == "partial"
    assert tiers.counts.watch == 1


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_schema_1_snapshot_still_renders(language):
    html = report_html_render(snapshot=V1, language=language, report_meta=META, for_pdf=True)
    assert "Acme AI" in html and "FY2025" in html
    assert "0%" not in html.split('id="watch"')[1].split("</section>")[0]  # no score for claims


def _question(urn, *, score=None, answered=True, required=True, not_applicable=False):
    return QuestionResult(
        urn=urn,
        prompt_ja=urn,
        prompt_en=urn,
        type="yes_no_partial",
        score=score,
        answered=answered,
        required=required,
        not_applicable=not_applicable,
    )


@pytest.mark.parametrize(
    ("question", "falls_short"),
    [
        (dict(score=1.0), False),
        (dict(score=0.5), True),
        (dict(score=0.0), True),
        (dict(score=None, answered=False), True),  # required, unanswered
        (dict(score=None, answered=False, required=False), False),
        (dict(score=None, not_applicable=True), False),
    ],
)
def test_a_question_falls_short_below_full_marks_or_when_required_and_unanswered(
    question, falls_short
):
    assert _question("q", **question).falls_short is falls_short


@pytest.mark.parametrize(
    ("status", "in_gap"),
    [("partial", True), ("gap", True), ("unanswered", True), ("compliant", False)],
)
def test_a_gaps_questions_are_those_that_fall_short_and_the_rest_stay_in_the_record(status, in_gap):
    full, half = _question("full", score=1.0), _question("half", score=0.5)
    provision = ProvisionResult.model_validate(
        {**_provision("p", "binding", status, None), "questions": [full, half]}
    )
    assert provision.is_gap is in_gap
    assert provision.gap_questions == ([half] if in_gap else [])
    assert provision.record_questions == ([full] if in_gap else [full, half])
