"""The shipped catalog: complete, loadable twice without change, round-trips, and legally careful."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from frameworks.choices import LegalStatus, Strength, VersionStatus
from frameworks.document import iter_provisions, iter_questions
from frameworks.files import parse_framework_file
from frameworks.models import FrameworkVersion, Provision, Question
from frameworks.selectors import (
    document_content_hash,
    framework_version_diff,
    framework_version_document,
)

CATALOG = sorted(Path(settings.FRAMEWORK_CATALOG_DIR).glob("*.yaml"))
AI_ACT = "urn:tekigo:fw:ai-promotion-act"
AIGB = "urn:tekigo:fw:meti-ai-guidelines"
APPI = "urn:tekigo:fw:appi"
TIERS = "urn:tekigo:fw:fm-tiers-reported"
AI_GUIDELINE = "urn:tekigo:fw:ai-guideline"


@pytest.fixture(scope="module")
def documents():
    return {(d.urn, d.version): d for d in map(parse_framework_file, CATALOG)}


@pytest.fixture
def loaded(db):
    call_command("load_frameworks", verbosity=0)


def test_catalog_holds_the_five_frameworks_and_every_published_version(documents):
    assert {urn for urn, _ in documents} == {AI_ACT, AIGB, APPI, TIERS, AI_GUIDELINE}
    assert {v for urn, v in documents if urn == AIGB} == {"1.1", "1.2", "1.1r2", "1.2r2", "1.2r3"}
    assert {v for urn, v in documents if urn == APPI} == {"20220401", "20260717", "20260717r2"}
    assert {v for urn, v in documents if urn == AI_ACT} == {"20250901", "20250901r2", "20250901r3"}
    assert {v for urn, v in documents if urn == AI_GUIDELINE} == {"20251219", "20251219r2"}


def test_catalog_has_at_least_150_distinct_questions(documents):
    urns = {q.urn for d in documents.values() for _p, q in iter_questions(d)}
    assert len(urns) >= 150


def test_every_provision_that_binds_the_organisation_has_questions(documents):
    for document in documents.values():
        for where, provision in iter_provisions(document):
            if (
                provision.strength != Strength.GOVERNMENT_DUTY
                and "government" not in provision.actors
            ):
                assert provision.questions or provision.note, (
                    f"{document.urn} {where} has no questions"
                )


def test_ai_promotion_act_has_no_sanctioned_duty_and_article_7_binds_without_sanction(documents):
    act = documents[(AI_ACT, "20250901")]
    assert act.legal_status == LegalStatus.STATUTE
    strengths = {p.strength for _w, p in iter_provisions(act)}
    assert Strength.BINDING not in strengths  # the Act has no penalties
    art7 = [
        p
        for _w, p in iter_provisions(act)
        if p.statute and any(a.number == "7" for a in p.statute.articles)
    ]
    assert Strength.BINDING_NO_SANCTION in {p.strength for p in art7}
    assert Strength.EFFORT_DUTY not in {
        p.strength for p in art7 if "cooperat" in p.title.en.lower()
    }
    for number in ("3", "6", "7", "13", "16", "25"):
        assert any(
            a.number == number
            for _w, p in iter_provisions(act)
            if p.statute
            for a in p.statute.articles
        ), number
    assert "penalt" in act.notes.en.lower()


def test_reported_tiers_are_labelled_and_never_law(documents):
    records = [d for (urn, _v), d in documents.items() if urn == TIERS]
    assert len(records) == 2
    for tiers in records:
        assert tiers.legal_status == LegalStatus.REPORTED_UNVERIFIED
        provisions = [p for _w, p in iter_provisions(tiers)]
        assert provisions and {p.strength for p in provisions} == {Strength.REPORTED}
        assert all(p.confidence == "unverified" and p.note for p in provisions)
        assert tiers.notes and "AISI" in tiers.notes.en
    assert all(
        p.strength != Strength.REPORTED
        for d in documents.values()
        if d.urn != TIERS
        for _w, p in iter_provisions(d)
    )


def test_appi_covers_articles_17_to_35_and_41_to_46(documents):
    appi = documents[(APPI, "20220401")]
    cited = {a.number for _w, p in iter_provisions(appi) if p.statute for a in p.statute.articles}
    assert {str(n) for n in [*range(17, 36), *range(41, 47)]} <= cited
    art26 = next(
        p for _w, p in iter_provisions(appi) if p.statute and p.statute.articles[0].number == "26"
    )
    assert "30" in art26.summary.en and "60" in art26.summary.en
    art28 = next(
        p for _w, p in iter_provisions(appi) if p.statute and p.statute.articles[0].number == "28"
    )
    assert art28.applies_when is not None


@pytest.mark.slow
def test_catalog_loads_twice_without_change_and_round_trips(loaded, capsys):
    versions = FrameworkVersion.objects.count()
    questions = Question.objects.count()
    assert versions == len(CATALOG)
    assert questions >= 150
    assert set(FrameworkVersion.objects.values_list("status", flat=True)) == {
        VersionStatus.PUBLISHED
    }
    capsys.readouterr()
    call_command("load_frameworks")
    assert "No change" in capsys.readouterr().out
    assert (FrameworkVersion.objects.count(), Question.objects.count()) == (versions, questions)
    for version in FrameworkVersion.objects.select_related("framework"):
        assert (
            document_content_hash(framework_version_document(version=version))
            == version.content_hash
        ), version


@pytest.mark.slow
def test_guidelines_1_2_differ_from_1_1_in_a_real_diff(loaded):
    old = FrameworkVersion.objects.get(framework__urn=AIGB, version="1.1")
    new = FrameworkVersion.objects.get(framework__urn=AIGB, version="1.2")
    diff = framework_version_diff(old=old, new=new)
    assert any(kind == "provision" for kind, _k, _l in diff.added)
    assert diff.changed
    shared = set(Provision.objects.filter(version=old).values_list("urn", flat=True)) & set(
        Provision.objects.filter(version=new).values_list("urn", flat=True)
    )
    assert len(shared) >= 30


# --- Issue 10: the newest versions carry the law's own enforcement, sources and notes ---

NA_CHOICE_KEYS = {"not_applicable", "not-applicable", "not-used"}


def _newest(documents, urn):
    dated = [d for (u, _v), d in documents.items() if u == urn]
    return max(dated, key=lambda d: (d.effective_date is None, d.effective_date, d.version))


def test_newest_appi_is_the_2026_07_17_revision_and_notes_act_no_56_of_2026(documents):
    appi = _newest(documents, APPI)
    # 20260717r2 carries the same statute text with question wording aligned (issue 10, point 15).
    assert appi.version == "20260717r2" and str(appi.effective_date) == "2026-07-17"
    assert "Act No. 56 of 2026" in appi.notes.en and "令和八年法律第五十六号" in appi.notes.ja
    assert all(
        p.statute.revision == "415AC0000000057_20260717_508AC0000000062"
        for _w, p in iter_provisions(appi)
        if p.statute
    )


def test_newest_appi_states_enforcement_everywhere_and_art_17_is_not_sanctioned(documents):
    appi = _newest(documents, APPI)
    by_key = {p.urn.rsplit(":", 1)[-1]: p for _w, p in iter_provisions(appi)}
    assert all(p.enforcement is not None for p in by_key.values())
    assert by_key["art-17"].strength == Strength.BINDING_NO_SANCTION
    for key in ("art-17", "art-22", "art-40", "art-46"):
        assert by_key[key].enforcement.kind == "none", key
    summary = by_key["enforcement"]
    assert "182" in summary.enforcement.articles and "Art. 182" in summary.summary.en
    assert "第182条" in summary.summary.ja and "185" in summary.enforcement.articles
    assert by_key["art-40"].strength == Strength.EFFORT_DUTY
    # The PPC caution is the regulator's reading of binding articles, not a voluntary guideline.
    assert by_key["ppc-genai-alert-2023"].strength == Strength.BINDING


def test_newest_appi_art_29_keeps_records_for_foreign_trustees_and_cites_rules(documents):
    appi = _newest(documents, APPI)
    by_key = {p.urn.rsplit(":", 1)[-1]: p for _w, p in iter_provisions(appi)}
    assert "foreign trustee" in by_key["art-29"].summary.en
    assert "unverified" in by_key["art-29"].note.en
    assert "Q7-53" in by_key["art-28"].note.en  # the cloud exception explained
    foreign = by_key["art-23-32-foreign"]
    assert foreign.applies_when.as_data()["all"][1] == {
        "fact": "handles_personal_data_abroad",
        "is": True,
    }
    sources = {s.key: s for s in appi.sources}
    assert sources["rules-19-25"].confidence == "unverified"
    assert {"rules-11", "rules-16-18", "rules-31-34", "ppc-gl-general", "ppc-faq-10-24"} <= set(
        sources
    )


def test_newest_versions_have_no_not_applicable_choice_nor_say_answer_yes(documents):
    for urn in (APPI, AIGB, AI_ACT, AI_GUIDELINE, TIERS):
        document = _newest(documents, urn)
        for where, question in iter_questions(document):
            keys = {c.key for c in question.choices or []}
            assert not keys & NA_CHOICE_KEYS, (urn, where)
            if question.help:
                assert "場合は「はい」と回答" not in question.help.ja, (urn, where)


def test_newest_help_never_asks_for_a_choice_the_question_does_not_have(documents):
    """1.2r2 dropped the "we do not use it" choices, but its help still said to pick them."""
    for urn in (APPI, AIGB, AI_ACT, AI_GUIDELINE, TIERS):
        for where, question in iter_questions(_newest(documents, urn)):
            if not question.help:
                continue
            labels_ja = {c.label.ja for c in question.choices or []}
            labels_en = {c.label.en for c in question.choices or []}
            for named in re.findall(r"「([^」]+)」を選んで", question.help.ja):
                assert named in labels_ja, (urn, where, named)
            for named in re.findall(r'[Cc]hoose "([^"]+)"', question.help.en):
                assert named in labels_en, (urn, where, named)
            assert "満点" not in question.help.ja and "full marks" not in question.help.en


def test_newest_ai_promotion_act_has_no_guideline_and_does_not_score_the_effort_to_use_ai(
    documents,
):
    act = _newest(documents, AI_ACT)
    assert act.version == "20250901r3"
    provisions = [p for _w, p in iter_provisions(act)]
    assert not any(p.urn.endswith(":ai-guideline") for p in provisions)
    assert all(p.enforcement and p.enforcement.kind == "none" for p in provisions)
    use = next(p for p in provisions if p.urn.endswith(":art-7-utilisation"))
    assert use.strength == Strength.EFFORT_DUTY and use.questions == []
    assert "hortatory" in use.note.en
    for p in provisions:
        assert "前段" not in p.ref and "後段" not in p.ref


def test_ai_guideline_is_its_own_hq_decision_framework(documents):
    guideline = _newest(documents, AI_GUIDELINE)
    assert guideline.legal_status == LegalStatus.HQ_DECISION
    assert str(guideline.effective_date) == "2025-12-19"
    assert [s.url for s in guideline.sources] == [
        "https://www8.cao.go.jp/cstp/ai/ai_guideline/ai_guideline.html"
    ]
    tracking = next(q for _w, q in iter_questions(guideline) if q.urn.endswith(":tracking"))
    assert "know the content" in tracking.prompt.en and "把握" in tracking.prompt.ja


def test_newest_meti_guidelines_cite_the_official_document_and_ask_about_physical_ai(documents):
    v12_pdf = (
        "https://www.meti.go.jp/shingikai/mono_info_service/ai_shakai_jisso/pdf/20260331_1.pdf"
    )
    for version, url in (
        ("1.2r2", v12_pdf),
        ("1.2r3", v12_pdf),
        ("1.1r2", "https://www.soumu.go.jp/main_content/001002576.pdf"),
    ):
        document = documents[(AIGB, version)]
        official = document.sources[0]
        assert official.publisher == "総務省・経済産業省" and official.url == url
        assert {p.source for _w, p in iter_provisions(document)} == {official.key}
        assert all("総務省" in s.publisher or "経済産業省" in s.publisher for s in document.sources)
    agent5 = next(
        p for _w, p in iter_provisions(_newest(documents, AIGB)) if p.urn.endswith(":agent-5")
    )
    assert agent5.applies_when.as_data() == {"fact": "develops_physical_ai", "is": True}


def test_newest_reported_claims_have_no_date_no_required_question_and_honest_titles(documents):
    tiers = documents[(TIERS, "2026.2")]
    assert tiers.effective_date is None
    assert all(not q.required for _w, q in iter_questions(tiers))
    for _w, p in iter_provisions(tiers):
        bounds = str(p.applies_when.as_data())
        if "'gte': 10000000000.0" in bounds:
            assert "以上" in p.title.ja and "超" not in p.title.ja
            assert "from 10 billion" in p.title.en


def test_only_a_reported_version_may_leave_out_the_effective_date(documents):
    from pydantic import ValidationError

    from frameworks.document import FrameworkDocument

    data = _newest(documents, AI_GUIDELINE).model_dump(by_alias=True, exclude_none=True)
    data.pop("effective_date")
    with pytest.raises(ValidationError, match="effective_date is required"):
        FrameworkDocument.model_validate(data)
    data["legal_status"] = LegalStatus.REPORTED_UNVERIFIED
    for section in data["sections"]:
        for provision in section["provisions"]:
            provision["strength"] = Strength.REPORTED
    assert FrameworkDocument.model_validate(data).effective_date is None


def test_newest_appi_uses_the_official_english_term_for_the_business_operator(documents):
    appi = _newest(documents, APPI)
    english = " ".join(
        text
        for _w, p in iter_provisions(appi)
        for text in (p.summary.en, p.title.en, p.note.en if p.note else "")
    )
    assert "personal information handling business operator" in english
    assert " a handler " not in english and "A handler " not in english
