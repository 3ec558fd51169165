"""Scoring, statuses and severities of the gap analysis."""

import pytest

from assessments.scoping import ScopingProfile
from assessments.services import AnswerInput, answer_save, assessment_create
from frameworks.files import parse_framework_text
from frameworks.models import Question
from frameworks.services import framework_version_load
from reports.analysis import gap_analysis_compute
from tests.conftest import MINIMAL

pytestmark = pytest.mark.django_db


def provisions(snapshot):
    found = {}

    def walk(section):
        for p in section["provisions"]:
            found[p["urn"].rsplit(":", 1)[-1]] = p
        for child in section["children"]:
            walk(child)

    for framework in snapshot["frameworks"]:
        for section in framework["sections"]:
            walk(section)
    return found


def answer(assessment, officer, suffix, **data):
    question = Question.objects.get(
        version=assessment.pins.get().version, urn__endswith=":" + suffix
    )
    answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(**data)
    )


def test_unanswered_assessment_scores_zero_with_unanswered_provisions(assessment):
    snapshot = gap_analysis_compute(assessment=assessment)
    found = provisions(snapshot)
    assert found["art-7"]["status"] == "unanswered"
    assert found["art-4"]["status"] == "not_applicable"  # a government duty is never assessed
    assert snapshot["scores"]["all"] == 0.0
    assert [g["urn"].rsplit(":", 1)[-1] for g in snapshot["gaps"]] == [
        "pi",
        "art-7",
    ]  # high (binding) before medium


def test_weighted_scores_statuses_and_severities(assessment, officer):
    answer(assessment, officer, "q:art-7-contact", value="partial", comment="drafted")
    answer(assessment, officer, "q:pi-channels", value=["web", "paper"])  # mean of 1 and 0.5
    snapshot = gap_analysis_compute(assessment=assessment)
    found = provisions(snapshot)
    assert found["art-7"]["status"] == "partial" and found["art-7"]["score"] == 0.5
    assert found["art-7"]["severity"] == "medium"
    assert found["pi"]["score"] == 0.75 and found["pi"]["severity"] == "high"
    # overall: (0.5·1 + 0.75·2) / 3
    assert snapshot["scores"]["all"] == pytest.approx(2 / 3, abs=1e-4)
    assert snapshot["scores"]["obligations"] == pytest.approx(2 / 3, abs=1e-4)
    assert snapshot["scores"]["guidelines"] is None
    gap = next(g for g in snapshot["gaps"] if g["urn"].endswith("art-7"))
    question = next(q for q in gap["questions"] if q["urn"].endswith("art-7-contact"))
    assert (question["answer_en"], question["answer_ja"], question["comment"]) == (
        "Partly",
        "一部",
        "drafted",
    )
    assert gap["source"]["title"] == "e-Gov法令検索" and gap["confidence"] == "verified_primary"
    assert question["remediation_en"] == "Name a contact."


def test_compliant_gap_and_not_applicable(assessment, officer):
    answer(assessment, officer, "q:art-7-contact", value="yes")
    answer(
        assessment,
        officer,
        "q:pi-channels",
        not_applicable=True,
        justification="We collect nothing",
    )
    found = provisions(gap_analysis_compute(assessment=assessment))
    assert found["art-7"]["status"] == "compliant"
    assert found["pi"]["status"] == "not_applicable"
    answer(assessment, officer, "q:art-7-contact", value="no", revision=1)
    assert provisions(gap_analysis_compute(assessment=assessment))["art-7"]["status"] == "gap"


def test_out_of_scope_provisions_do_not_count(assessment, officer):
    from assessments.services import assessment_scoping_update

    answer(assessment, officer, "q:pi-channels", value=["paper"])
    assessment = assessment_scoping_update(
        actor=officer, assessment=assessment, scoping=ScopingProfile(roles=["ai_business_user"])
    )
    snapshot = gap_analysis_compute(assessment=assessment)
    assert provisions(snapshot)["pi"]["status"] == "not_applicable"
    assert all(not g["urn"].endswith(":pi") for g in snapshot["gaps"])


def test_reported_claims_are_watch_items_outside_every_score(officer, organisation):
    text = (
        MINIMAL.read_text()
        .replace("legal_status: statute", "legal_status: reported_unverified")
        .replace("urn:tekigo:fw:example-act", "urn:tekigo:fw:rumour")
    )
    for strength in ("binding_no_sanction", "government_duty", "binding"):
        text = text.replace(f"strength: {strength}\n", "strength: reported\n")
    version = framework_version_load(
        document=parse_framework_text(text, name="rumour.yaml")
    ).version
    assessment = assessment_create(
        actor=officer,
        organisation=organisation,
        name="r",
        versions=[version],
        scoping=ScopingProfile(roles=["ai_provider"], handles_personal_info=True),
    )
    answer(assessment, officer, "q:art-7-contact", value="no")
    snapshot = gap_analysis_compute(assessment=assessment)
    assert snapshot["gaps"] == []
    assert {w["severity"] for w in snapshot["watch"]} == {"watch"}
    assert snapshot["scores"] == {"all": None, "obligations": None, "guidelines": None}
    assert snapshot["frameworks"][0]["score"] is None


def test_analysis_runs_in_a_constant_number_of_queries(
    assessment, officer, django_assert_max_num_queries
):
    answer(assessment, officer, "q:art-7-contact", value="yes")
    with django_assert_max_num_queries(8):
        gap_analysis_compute(assessment=assessment)
