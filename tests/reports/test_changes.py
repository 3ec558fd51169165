"""What changed since the organisation's previous approved assessment (issue 11): the baseline is
the approved snapshot of the most recent approved assessment before this one, and the comparison
keeps statutes and guidelines apart and matches provisions across versions by URN."""

from unittest import mock

import pytest
from django.urls import reverse

from assessments.services import AnswerInput, answer_save, assessment_create, assessment_submit
from reports.analysis import gap_analysis_compute
from reports.changes import snapshot_compare
from reports.rendering import report_html_render
from reports.selectors import signoff_baseline_get
from reports.services import assessment_approve, report_meta, report_request
from reports.snapshot import snapshot_load
from reports.tasks import report_render_task
from tests.conftest import PROVIDER_WITH_PI, question_of
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
CONTACT, CHANNELS = "q:art-7-contact", "q:pi-channels"
ART7, PI = "urn:tekigo:fw:example-act:prov:art-7", "urn:tekigo:fw:example-act:prov:pi"


@pytest.fixture(autouse=True)
def _no_broker():
    with mock.patch.object(report_render_task, "apply_async"):  # the broker: edge of the world
        yield


def answer(assessment, officer, **values):
    version = assessment.pins.get().version
    for suffix, value in values.items():
        answer_save(
            actor=officer,
            assessment=assessment,
            question_id=question_of(version, suffix).pk,
            data=AnswerInput(value=value),
        )


def approved(assessment, officer, auditor, **values):
    """``assessment`` answered with ``values``, submitted by the officer, approved by the auditor."""
    answer(assessment, officer, **values)
    assessment_submit(actor=officer, assessment=assessment)
    return assessment_approve(
        actor=auditor, assessment=assessment, statement="Reviewed and approved.", language="en"
    )


def new_assessment(officer, organisation, version, name="FY2027 review"):
    return assessment_create(
        actor=officer,
        organisation=organisation,
        name=name,
        versions=[version],
        scoping=PROVIDER_WITH_PI,
    )


def test_without_a_previous_approved_assessment_the_section_says_so(assessment, officer):
    report = report_request(actor=officer, assessment=assessment, language="en")
    assert report.snapshot["previous"] is None
    html = report_html_render(
        snapshot=report.snapshot, language="en", report_meta=report_meta(report), for_pdf=False
    )
    assert "No previous approved assessment of this organisation is on record" in html


def test_one_previous_approved_assessment_gives_the_closed_and_opened_gaps_and_the_scores(
    assessment, officer, auditor, organisation, published_version
):
    # Before: Art. 7 a gap ("no"), the channels compliant ("web").
    baseline = approved(assessment, officer, auditor, **{CONTACT: "no", CHANNELS: ["web"]})
    current = new_assessment(officer, organisation, published_version)
    # Now: Art. 7 compliant, the channels only partly ("paper" scores 0.5).
    answer(current, officer, **{CONTACT: "yes", CHANNELS: ["paper"]})

    report = report_request(actor=officer, assessment=current, language="en")

    changes = snapshot_load(report.snapshot).previous
    assert changes.report_id == baseline.report_id
    assert changes.snapshot_sha256 == baseline.snapshot_sha256 == baseline.report.snapshot_sha256
    assert [g.urn for g in changes.gaps_closed] == [ART7]
    assert changes.gaps_closed[0].status == "gap"
    assert [(g.urn, g.status) for g in changes.gaps_opened] == [(PI, "partial")]
    [framework] = changes.frameworks
    assert (framework.kind, framework.change) == ("statute", "same")
    before = snapshot_load(baseline.report.snapshot)
    assert framework.score_before == before.frameworks[0].score
    assert framework.score_after == snapshot_load(report.snapshot).frameworks[0].score
    assert changes.statute_before == before.scores.statute
    assert changes.guideline_before is None  # no guideline assessed: nothing blended in


def test_the_changes_render_in_english_and_japanese(
    assessment, officer, auditor, organisation, published_version
):
    approved(assessment, officer, auditor, **{CONTACT: "no", CHANNELS: ["web"]})
    current = new_assessment(officer, organisation, published_version)
    answer(current, officer, **{CONTACT: "yes", CHANNELS: ["paper"]})
    report = report_request(actor=officer, assessment=current, language="en")
    meta = report_meta(report)

    en = report_html_render(snapshot=report.snapshot, language="en", report_meta=meta, for_pdf=True)
    ja = report_html_render(snapshot=report.snapshot, language="ja", report_meta=meta, for_pdf=True)

    assert "1 gap closed (provisions)" in en and "1 gap newly opened (provisions)" in en
    assert "Compared with the approved report" in en and "FY2026 review" in en
    assert "解消したギャップ 1 件（条項）" in ja and "新たに生じたギャップ 1 件（条項）" in ja
    assert "No previous approved assessment" not in en


def test_the_pdf_executive_summary_carries_the_changes(
    assessment, officer, auditor, organisation, published_version
):
    from pypdf import PdfReader

    from portal.storage import file_storage, stored_key
    from reports.services import REPORTS_FOLDER, report_render

    approved(assessment, officer, auditor, **{CONTACT: "no", CHANNELS: ["web"]})
    current = new_assessment(officer, organisation, published_version)
    answer(current, officer, **{CONTACT: "yes", CHANNELS: ["paper"]})
    report = report_render(
        report_id=report_request(actor=officer, assessment=current, language="en").pk
    )

    with file_storage().open(stored_key(REPORTS_FOLDER, report.pdf_name)) as handle:
        text = " ".join(page.extract_text() for page in PdfReader(handle).pages)
    summary = text[text.index("Executive summary", text.index("Contents") + 20) :]
    assert "1 gap closed (provisions)" in summary and "Previous score" in summary


def test_the_html_view_shows_the_changes_to_a_member(
    client, assessment, officer, auditor, organisation, published_version
):
    approved(assessment, officer, auditor, **{CONTACT: "no", CHANNELS: ["web"]})
    current = new_assessment(officer, organisation, published_version)
    answer(current, officer, **{CONTACT: "yes", CHANNELS: ["paper"]})
    report = report_request(actor=officer, assessment=current, language="ja")
    client.force_login(officer)

    page = client.get(reverse("reports:html", args=[report.pk])).content.decode()

    assert "解消したギャップ 1 件（条項）" in page and "前回のスコア" in page


def test_an_unapproved_newer_assessment_is_not_a_baseline(
    assessment, officer, auditor, organisation, published_version
):
    baseline = approved(assessment, officer, auditor, **{CONTACT: "no", CHANNELS: ["web"]})
    submitted = new_assessment(officer, organisation, published_version, name="FY2027 review")
    answer(submitted, officer, **{CONTACT: "yes", CHANNELS: ["web"]})
    assessment_submit(actor=officer, assessment=submitted)  # in review, never approved
    current = new_assessment(officer, organisation, published_version, name="FY2028 review")

    assert signoff_baseline_get(assessment=current) == baseline
    report = report_request(actor=officer, assessment=current, language="en")
    assert report.snapshot["previous"]["report_id"] == baseline.report_id


def test_a_newer_approved_assessment_is_not_the_baseline_of_an_older_one(
    assessment, officer, auditor, organisation, published_version
):
    newer = new_assessment(officer, organisation, published_version)
    approved(newer, officer, auditor, **{CONTACT: "yes", CHANNELS: ["web"]})
    assert signoff_baseline_get(assessment=assessment) is None


def test_another_organisations_approved_assessment_is_never_used(published_version, assessment):
    rival_officer = MembershipFactory(
        user__username="rival-officer", organisation__name="Rival Co", role="officer"
    )
    rival_auditor = MembershipFactory(
        user__username="rival-auditor", organisation=rival_officer.organisation, role="auditor"
    )
    rival = new_assessment(
        rival_officer.user, rival_officer.organisation, published_version, name="Rival FY2025"
    )
    approved(rival, rival_officer.user, rival_auditor.user, **{CONTACT: "no", CHANNELS: ["web"]})
    ours = new_assessment(assessment.created_by, assessment.organisation, published_version)

    assert signoff_baseline_get(assessment=ours) is None
    report = report_request(actor=assessment.created_by, assessment=ours, language="en")
    assert report.snapshot["previous"] is None


def test_the_baseline_query_count_is_constant(
    assessment, officer, auditor, organisation, published_version, django_assert_num_queries
):
    approved(assessment, officer, auditor, **{CONTACT: "no", CHANNELS: ["web"]})
    current = new_assessment(officer, organisation, published_version)
    with django_assert_num_queries(1):
        signoff_baseline_get(assessment=current)


# --- The comparison itself, on snapshots ------------------------------------------------------


def _framework(snapshot, **changes):
    snapshot.frameworks[0] = snapshot.frameworks[0].model_copy(update=changes)
    return snapshot


def test_frameworks_added_removed_and_new_versions_are_matched_by_urn(assessment):
    base = gap_analysis_compute(assessment=assessment)
    now = base.model_copy(deep=True)
    _framework(now, version="2026.1")
    added = now.frameworks[0].model_copy(
        update={"urn": "urn:tekigo:fw:guide", "kind": "guideline", "version": "1.0"}
    )
    removed = base.frameworks[0].model_copy(update={"urn": "urn:tekigo:fw:old"})
    now.frameworks.append(added)
    base.frameworks.append(removed)

    frameworks, closed, opened = snapshot_compare(baseline=base, current=now)

    assert [(f.urn, f.change, f.version_before, f.version_after) for f in frameworks] == [
        ("urn:tekigo:fw:example-act", "new_version", "2025.1", "2026.1"),
        ("urn:tekigo:fw:guide", "added", None, "1.0"),
        ("urn:tekigo:fw:old", "removed", "2025.1", None),
    ]
    assert frameworks[1].kind == "guideline"  # kept apart from the statute, never blended
    # Gaps of the added and removed frameworks are not listed one by one.
    assert closed == [] and opened == []


def test_a_gap_is_closed_only_when_its_provision_is_still_assessed(assessment, officer):
    answer(assessment, officer, **{CONTACT: "no", CHANNELS: ["web"]})
    base = gap_analysis_compute(assessment=assessment)
    now = base.model_copy(deep=True)
    # In the newer version Art. 7 no longer exists: neither closed nor opened.
    section = now.frameworks[0].sections[0]
    section.provisions = [p for p in section.provisions if p.urn != ART7]

    _frameworks, closed, opened = snapshot_compare(baseline=base, current=now)

    assert closed == [] and opened == []


def test_a_schema_2_snapshot_still_reads_without_changes(assessment):
    stored = gap_analysis_compute(assessment=assessment).dump()
    stored.pop("previous")
    stored["schema_version"] = 2
    assert snapshot_load(stored).previous is None
