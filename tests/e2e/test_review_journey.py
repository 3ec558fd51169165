"""The review journey in a real browser: an officer submits, the auditor queries one answer and
returns the assessment, the officer replies and resubmits, the auditor resolves and approves,
and the approved report's PDF verifies on the signed-in verify page."""

from __future__ import annotations

import re
import shutil

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from assessments.management.commands.seed_demo import DEMO_ASSESSMENT
from assessments.models import Assessment, AssessmentStatus, ReviewComment
from assessments.selectors import questionnaire_build
from assessments.services import AnswerInput, answers_bulk_save
from portal.models import User
from reports.models import SignOff
from tests.e2e.conftest import sign_in

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed"),
]
PASSWORD = "tekigo-demo"


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True  # seed_demo runs only in development
    call_command("load_frameworks", verbosity=0)
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    return Assessment.objects.get(name=DEMO_ASSESSMENT)


def _value(question):
    if question.choices:
        key = question.choices[0]["key"]
        return [key] if question.type == "multiple_choice" else key
    return {"number": 1, "date": "2026-04-01"}.get(question.type, "Answered in the test")


def _complete(assessment) -> None:
    """Answer whatever the demo left open, so the officer can submit (the form filling itself is
    covered by test_journeys)."""
    officer = User.objects.get(username="officer")
    while todo := [
        b
        for b in questionnaire_build(assessment=assessment).questions.values()
        if b.counts and not b.is_answered
    ]:
        answers_bulk_save(
            actor=officer,
            assessment=assessment,
            items=[
                (
                    b.question.pk,
                    AnswerInput(
                        value=_value(b.question), revision=b.answer.revision if b.answer else 0
                    ),
                )
                for b in todo
            ],
        )


def _confirm(page, base: str, assessment, link: str, reason: str | None = None) -> None:
    page.goto(f"{base}/assessments/{assessment.pk}/")
    page.click(f"main a[href$='/{link}/']")
    if reason is not None:
        page.fill("#id_reason", reason)
    page.click("main form.confirm-form button[type=submit]")
    page.wait_for_url(re.compile(rf"/assessments/{assessment.pk}/$"))


def test_officer_submits_auditor_queries_officer_replies_auditor_approves_and_the_pdf_verifies(
    live_server, demo, new_page, tmp_path
):
    from reports.services import report_render

    base = live_server.url
    _complete(demo)
    block = next(
        b
        for b in questionnaire_build(assessment=demo).questions.values()
        if b.counts and b.is_answered
    )
    question = block.question
    section_url = f"{base}/assessments/{demo.pk}/sections/{question.provision.section_id}/"

    officer = new_page()
    sign_in(officer, base, "officer", PASSWORD)
    _confirm(officer, base, demo, "submit")
    expect(officer.locator(".astatus-submitted")).to_be_visible()

    auditor = new_page()
    sign_in(auditor, base, "auditor", PASSWORD)
    auditor.goto(section_url)
    review = auditor.locator(f"#review-{question.pk}")
    assert auditor.locator(f"#question-{question.pk} form.answer-form").count() == 0
    review.locator("input[name=status][value=query]").check()
    review.locator("textarea[name=comment]").fill("Which document shows this?")
    review.locator("form.review-form button[type=submit]").click()
    expect(auditor.locator(f"#review-{question.pk} .rstatus-query")).to_be_visible()
    expect(auditor.locator(f"#review-{question.pk} .review-thread")).to_contain_text(
        "Which document shows this?"
    )
    _confirm(auditor, base, demo, "return", reason="One query to answer")
    expect(auditor.locator(".astatus-returned")).to_be_visible()
    auditor.goto(f"{base}/assessments/{demo.pk}/reviews/")
    expect(auditor.locator("table.reviews tbody tr")).to_have_count(1)  # the open-query filter

    officer.goto(section_url)
    reply = officer.locator(f"#review-{question.pk} form.reply-form")
    reply.locator("textarea[name=text]").fill("Our privacy notice, section 3.")
    reply.locator("button[type=submit]").click()
    expect(officer.locator(f"#review-{question.pk} .review-thread li")).to_have_count(2)
    assert ReviewComment.objects.filter(text="Our privacy notice, section 3.").exists()
    _confirm(officer, base, demo, "submit")
    expect(officer.locator(".astatus-submitted")).to_be_visible()

    auditor.goto(section_url)
    auditor.locator(f"#review-{question.pk} form.resolve-form button").click()
    expect(auditor.locator(f"#review-{question.pk} .rstatus-accepted")).to_be_visible()
    auditor.goto(f"{base}/assessments/{demo.pk}/")
    auditor.click("main a[href$='/approve/']")
    expect(auditor.locator("#id_statement")).not_to_be_empty()
    auditor.check("input[name=language][value=en]")
    auditor.click("main form.confirm-form button[type=submit]")
    auditor.wait_for_url(re.compile(rf"/assessments/{demo.pk}/$"))
    expect(auditor.locator(".astatus-approved")).to_be_visible()
    assert Assessment.objects.get(pk=demo.pk).status == AssessmentStatus.APPROVED

    # The render itself is the worker's job (tests/reports/test_pipeline_integration.py); here
    # it runs in-process so the journey does not depend on a broker.
    signoff = SignOff.objects.get()
    report_render(report_id=signoff.report_id, worker="e2e:review")
    auditor.reload()
    row = auditor.locator(f"#report-{signoff.report_id}")
    expect(row.locator(".report-approved")).to_be_visible()
    with auditor.expect_download() as download:
        row.locator("a[href$='/download/']").click()
    saved = tmp_path / "approved.pdf"
    download.value.save_as(saved)
    auditor.goto(f"{base}/reports/verify/")
    auditor.set_input_files("#file", str(saved))
    auditor.click("main form button[type=submit]")
    auditor.wait_for_selector("text=Issued by Tekigo")
    assert demo.name in auditor.content()


def test_review_pages_have_no_critical_accessibility_violations_and_label_every_field(
    live_server, demo, new_page
):
    from pathlib import Path

    from assessments.services import assessment_submit, question_review_set

    _complete(demo)
    assessment_submit(actor=User.objects.get(username="officer"), assessment=demo)
    question = next(
        b.question
        for b in questionnaire_build(assessment=demo).questions.values()
        if b.counts and b.is_answered
    )
    question_review_set(
        actor=User.objects.get(username="auditor"),
        assessment=demo,
        question=question,
        status="query",
        comment="Which document?",
    )
    axe = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
    audit = new_page(bypass_csp=True)  # axe is injected as a script, which our CSP forbids
    sign_in(audit, live_server.url, "auditor", PASSWORD)
    for url in [
        f"/assessments/{demo.pk}/",
        f"/assessments/{demo.pk}/sections/{question.provision.section_id}/",
        f"/assessments/{demo.pk}/return/",
        f"/assessments/{demo.pk}/approve/",
        f"/assessments/{demo.pk}/reviews/",
        f"/assessments/{demo.pk}/history/",
    ]:
        audit.goto(live_server.url + url)
        audit.add_script_tag(path=str(axe))
        violations = audit.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => [v.id, v.impact])"
        )
        assert [v for v in violations if v[1] == "critical"] == [], url
        unlabeled = audit.evaluate(
            "() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(el => !el.labels?.length && !el.getAttribute('aria-label')).map(el => el.name)"
        )
        assert unlabeled == [], (url, unlabeled)
