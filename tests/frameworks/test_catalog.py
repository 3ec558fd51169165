"""The shipped catalog: complete, loadable twice without change, round-trips, and legally careful."""

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
    assert {v for urn, v in documents if urn == AIGB} == {"1.1", "1.2", "1.1r2", "1.2r2"}
    assert {v for urn, v in documents if urn == APPI} == {"20220401", "20260717"}
    assert {v for urn, v in documents if urn == AI_ACT} == {"20250901", "20250901r2"}


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
