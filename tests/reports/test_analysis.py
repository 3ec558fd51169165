"""Scoring, statuses and severities of the gap analysis."""

import pytest

from assessments.scoping import ScopingProfile
from assessments.services import AnswerInput, answer_save, assessment_create
from frameworks.files import parse_framework_text
from frameworks.models import Question
from frameworks.services import framework_version_load
from reports.analysis import gap_analysis_compute
from tests.conftest import MINIMAL, question_of

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
    snapshot = gap_analysis_compute(assessment=assessment).dump()
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
    snapshot = gap_analysis_compute(assessment=assessment).dump()
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
    found = provisions(gap_analysis_compute(assessment=assessment).dump())
    assert found["art-7"]["status"] == "compliant"
    assert found["pi"]["status"] == "not_applicable"
    answer(assessment, officer, "q:art-7-contact", value="no", revision=1)
    assert (
        provisions(gap_analysis_compute(assessment=assessment).dump())["art-7"]["status"] == "gap"
    )


def test_out_of_scope_provisions_do_not_count(assessment, officer):
    from assessments.services import assessment_scoping_update

    answer(assessment, officer, "q:pi-channels", value=["paper"])
    assessment = assessment_scoping_update(
        actor=officer, assessment=assessment, scoping=ScopingProfile(roles=["ai_business_user"])
    )
    snapshot = gap_analysis_compute(assessment=assessment).dump()
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
    snapshot = gap_analysis_compute(assessment=assessment).dump()
    assert snapshot["gaps"] == []
    assert {w["severity"] for w in snapshot["watch"]} == {"watch"}
    assert set(snapshot["scores"].values()) == {None}
    assert snapshot["frameworks"][0]["score"] is None


def test_analysis_runs_in_a_constant_number_of_queries(
    assessment, officer, django_assert_max_num_queries
):
    answer(assessment, officer, "q:art-7-contact", value="yes")
    with django_assert_max_num_queries(8):
        gap_analysis_compute(assessment=assessment).dump()


# --- Issue 10, points 12-14 ------------------------------------------------------------------

NO_QUESTIONS = """      - urn: urn:tekigo:fw:example-act:prov:band
        ref: Band 1
        title: {ja: 区分, en: Band}
        summary: {ja: 区分。, en: A band.}
        strength: STRENGTH
        actors: [ai_provider]
        source: egov
        confidence: unverified
        note: {ja: 一次資料には規定がない。, en: No primary source provides this.}
"""


def load_variant(*, legal_status="statute", urn="urn:tekigo:fw:example-act", extra="", **swap):
    """The minimal framework with a changed legal status, URN and strengths, loaded and published."""
    text = MINIMAL.read_text().replace("legal_status: statute", f"legal_status: {legal_status}")
    text = text.replace("  - key: ch2\n", extra + "  - key: ch2\n", 1)
    for old, new in swap.items():
        text = text.replace(f"strength: {old}\n", f"strength: {new}\n")
    text = text.replace("urn:tekigo:fw:example-act", urn)
    return framework_version_load(document=parse_framework_text(text, name="v.yaml")).version


def assess(officer, organisation, *versions, **scoping):
    return assessment_create(
        actor=officer,
        organisation=organisation,
        name="x",
        versions=list(versions),
        scoping=ScopingProfile(
            **({"roles": ["ai_provider"], "handles_personal_info": True} | scoping)
        ),
    )


def test_a_provision_that_applies_without_questions_is_listed_as_applicable(officer, organisation):
    version = load_variant(extra=NO_QUESTIONS.replace("STRENGTH", "binding"))
    snapshot = gap_analysis_compute(assessment=assess(officer, organisation, version)).dump()
    band = provisions(snapshot)["band"]
    assert (band["status"], band["applies"], band["has_questions"]) == ("applies", True, False)
    assert snapshot["frameworks"][0]["counts"]["applies"] == 1
    assert all(g["urn"] != band["urn"] for g in snapshot["gaps"])


def test_reported_claims_carry_no_status_and_all_are_watched_with_profile_and_note(
    officer, organisation
):
    version = load_variant(
        legal_status="reported_unverified",
        urn="urn:tekigo:fw:rumour",
        extra=NO_QUESTIONS.replace("STRENGTH", "reported"),
        binding="reported",
        binding_no_sanction="reported",
        government_duty="reported",
    )
    assessment = assess(
        officer, organisation, version, roles=["ai_provider"], handles_personal_info=False
    )
    answer(assessment, officer, "q:art-7-contact", value="yes")
    snapshot = gap_analysis_compute(assessment=assessment).dump()
    found = provisions(snapshot)
    framework = snapshot["frameworks"][0]
    assert (
        framework["kind"] == "reported" and framework["watch_only"] and framework["score"] is None
    )
    watched = {w["urn"].rsplit(":", 1)[-1]: w for w in snapshot["watch"]}
    # Every reported claim is watched, answered or not, concerning the profile or not.
    assert set(watched) == {"art-4", "art-7", "band", "pi"}
    assert all(w["status"] is None and w["score"] is None for w in watched.values())
    assert watched["band"]["applies"] and watched["band"]["note_en"].startswith("No primary")
    assert not watched["pi"]["applies"]  # would not concern an organisation without personal data
    assert found["art-7"]["status"] is None
    assert framework["counts"] == {
        "compliant": 0,
        "partial": 0,
        "gap": 0,
        "unanswered": 0,
        "applies": 0,
        "not_applicable": 0,
        "watch": 4,
    }
    assert snapshot["gaps"] == [] and snapshot["severity_counts"] == {
        "high": 0,
        "medium": 0,
        "low": 0,
    }


def test_gaps_are_grouped_by_framework_kind_then_strength(officer, organisation):
    statute = load_variant(binding_no_sanction="voluntary")  # a voluntary article of a statute
    guideline = load_variant(legal_status="government_guideline", urn="urn:tekigo:fw:guide")
    snapshot = gap_analysis_compute(assessment=assess(officer, organisation, statute, guideline))
    order = [(g.kind, g.strength, g.urn.split(":")[3]) for g in snapshot.gaps]
    assert order == [
        ("statute", "binding", "example-act"),
        ("statute", "voluntary", "example-act"),  # still under statutes, never under guidelines
        ("guideline", "binding", "guide"),
        ("guideline", "binding_no_sanction", "guide"),
    ]
    assert [kind for kind, _ in snapshot.gap_groups] == ["statute", "guideline"]
    assert snapshot.scores.statute == 0.0 and snapshot.scores.guideline == 0.0


def test_provisions_carry_enforcement_severity_and_the_japanese_citation(officer, organisation):
    text = MINIMAL.read_text().replace(
        "        ref: Item 1\n",
        "        ref: Item 1\n            ref_ja: 第1号\n"
        "            enforcement: {kind: none, articles: []}\n",
    )
    text = text.replace(
        "ref_ja: 第1号\n            enforcement", "ref_ja: 第1号\n            enforcement"
    )
    version = framework_version_load(document=parse_framework_text(text, name="e.yaml")).version
    snapshot = gap_analysis_compute(assessment=assess(officer, organisation, version)).dump()
    pi = provisions(snapshot)["pi"]
    assert (pi["ref_ja"], pi["enforcement"]) == ("第1号", "none")
    assert pi["severity"] == "medium"  # binding, but the statute provides no enforcement


def test_a_version_without_effective_date_has_none_in_the_snapshot(assessment):
    from assessments.selectors import questionnaire_build

    snapshot = gap_analysis_compute(assessment=assessment)
    assert snapshot.frameworks[0].effective_date == "2025-09-01"
    # Reported claims may have no effective date (the field becomes optional on another branch).

    questionnaire = questionnaire_build(assessment=assessment)
    questionnaire.frameworks[0].pin.version.effective_date = None
    snapshot = gap_analysis_compute(assessment=assessment, questionnaire=questionnaire)
    assert snapshot.frameworks[0].effective_date is None


def test_scope_statements_name_every_kind_of_fact():
    from frameworks.applicability import FACTS
    from reports.analysis import scope_statements

    choice = next(f for f in FACTS.values() if f.kind == "choice")
    value, label_ja, label_en = choice.choices[-1]
    lines = scope_statements(
        {
            "roles": ["ai_provider"],
            choice.name: value,
            "foundation_model_parameters": 12_000_000_000,
        },
        "en",
    )
    assert any(label_en in line for line in lines)
    assert any("12,000,000,000" in line for line in lines)
    assert any(label_ja in line for line in scope_statements({choice.name: value}, "ja"))


def test_the_snapshot_freezes_the_action_plan_overdue_first(assessment, officer):
    import datetime as dt

    from assessments.models import Action
    from reports.rendering import report_html_render

    provision = question_of(assessment.pins.get().version, "q:art-7-contact").provision
    late = Action.objects.create(
        organisation=assessment.organisation,
        assessment=assessment,
        title="Name a contact point",
        owner=officer,
        due_date=dt.date(2020, 1, 1),
    )
    late.provisions.add(provision)
    Action.objects.create(
        organisation=assessment.organisation, assessment=assessment, title="Later"
    )
    from reports.services import report_request

    assert gap_analysis_compute(assessment=assessment).actions == []  # analyses stay action-free
    report = report_request(actor=officer, assessment=assessment, language="en")
    actions = report.snapshot["actions"]
    assert [a["title"] for a in actions] == ["Name a contact point", "Later"]
    assert actions[0]["overdue"] and actions[0]["owner"] == "officer"
    assert actions[0]["refs"] == [provision.ref]
    html = report_html_render(
        snapshot=report.snapshot, language="en", report_meta={}, for_pdf=False
    )
    assert "Action plan" in html and "Name a contact point" in html and "Overdue" in html


# --- Analysis without question rows (issue 12, speed) ---


def _without_questions(snapshot):
    """The dump with every provision's question rows emptied and the time of analysis removed."""

    def strip(provision):
        return {**provision, "questions": []}

    def section(data):
        return {
            **data,
            "provisions": [strip(p) for p in data["provisions"]],
            "children": [section(c) for c in data["children"]],
        }

    return {
        **snapshot,
        "analysed_at": None,
        "frameworks": [
            {**f, "sections": [section(s) for s in f["sections"]]} for f in snapshot["frameworks"]
        ],
        "gaps": [strip(p) for p in snapshot["gaps"]],
        "watch": [strip(p) for p in snapshot["watch"]],
    }


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"q:art-7-contact": {"value": "partial"}, "q:pi-channels": {"value": ["web", "paper"]}},
        {"q:art-7-contact": {"value": "no"}, "q:pi-channels": {"value": ["web"]}},
        {
            "q:art-7-contact": {"value": "yes"},
            "q:pi-channels": {"not_applicable": True, "justification": "We collect nothing"},
        },
    ],
)
def test_without_question_rows_the_scores_statuses_and_severities_are_the_same(
    assessment, officer, answers
):
    for suffix, data in answers.items():
        answer(assessment, officer, suffix, **data)

    full = gap_analysis_compute(assessment=assessment).dump()
    light = gap_analysis_compute(assessment=assessment, with_questions=False).dump()

    assert any(p["questions"] for p in provisions(full).values())
    assert not any(p["questions"] for p in provisions(light).values())
    assert _without_questions(light) == _without_questions(full)


def test_without_question_rows_no_uploader_is_looked_up(
    assessment, officer, django_assert_num_queries
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.selectors import questionnaire_build
    from assessments.services import evidence_upload

    answer(assessment, officer, "q:pi-channels", value=["web"])
    evidence_upload(
        actor=officer,
        assessment=assessment,
        question_id=question_of(assessment.pins.get().version, "q:pi-channels").pk,
        upload=SimpleUploadedFile("policy.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    questionnaire = questionnaire_build(assessment=assessment)
    with django_assert_num_queries(1):  # the uploader's name, for the evidence row
        gap_analysis_compute(assessment=assessment, questionnaire=questionnaire)
    with django_assert_num_queries(0):
        gap_analysis_compute(
            assessment=assessment, questionnaire=questionnaire, with_questions=False
        )
