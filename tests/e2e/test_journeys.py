"""Users' journeys in a real browser (Playwright + Debian's Chromium) against the live server."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments.management.commands.seed_demo import DEMO_ASSESSMENT
from assessments.models import Answer, Assessment, AssessmentStatus
from assessments.selectors import questionnaire_build
from assessments.services import AnswerInput, answers_bulk_save
from frameworks.models import FrameworkVersion
from portal.models import User
from tests.e2e.conftest import sign_in

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed"),
]
PASSWORD = "tekigo-demo"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True  # seed_demo runs only in development
    call_command("load_frameworks", verbosity=0)
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    return Assessment.objects.get(name=DEMO_ASSESSMENT)


def section_of(assessment, framework_urn: str):
    questionnaire = questionnaire_build(assessment=assessment)
    framework = next(f for f in questionnaire.frameworks if f.pin.framework.urn == framework_urn)
    return next(s for s in framework.sections if s.progress.applicable)


def valid_value(question):
    if question.choices:
        return (
            [question.choices[0]["key"]]
            if question.type == "multiple_choice"
            else question.choices[0]["key"]
        )
    return {"number": 1, "date": "2026-04-01"}.get(question.type, "Answered in the test")


def overall(page) -> tuple[int, int]:
    text = page.locator("#progress p").first.inner_text()
    answered, applicable = re.search(r"(\d+) / (\d+)", text).groups()
    return int(answered), int(applicable)


def test_officer_creates_scopes_answers_reloads_and_submits(live_server, demo, new_page, tmp_path):
    page = new_page()
    sign_in(page, live_server.url, "officer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/new/")
    page.fill("#id_name", "Browser review")
    assert page.locator("input[name=versions]:checked").count() == 5
    page.check("input[name=roles][value=ai_provider]")
    page.check("#id_handles_personal_info")
    page.click("form.scoping-form button[type=submit]")  # not the roll-forward form above it
    page.wait_for_url(re.compile(r"/assessments/\d+/$"))
    assessment = Assessment.objects.get(name="Browser review")

    appi = section_of(assessment, "urn:tekigo:fw:appi")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/{appi.section.pk}/")
    before = overall(page)
    forms = page.locator("form.answer-form:visible")
    first, second = forms.nth(0), forms.nth(1)
    q1, q2 = first.get_attribute("data-question"), second.get_attribute("data-question")
    first.locator("input[name=value]").first.check()
    page.wait_for_selector(f"#status-{q1}.saved")
    first.locator("textarea[name=comment]").fill("Reviewed by legal in May")
    first.locator("textarea[name=comment]").press("Tab")
    expect(page.locator(f"#revision-{q1}")).to_have_value("2")
    assert overall(page)[0] == before[0] + 1  # the progress bar moved without a reload

    evidence = tmp_path / "policy.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    page.locator(f"#file-{q1}").set_input_files(str(evidence))
    page.locator(f"#evidence-{q1} button[type=submit]").click()
    page.wait_for_selector(f"#evidence-{q1} a:has-text('policy.pdf')")

    second.locator("input[name=not_applicable]").check()
    page.wait_for_selector(f"#question-{q2} .na-justification:visible")
    page.wait_for_selector(
        f"#status-{q2}.failed"
    )  # "not applicable" without a reason is refused, visibly
    second.locator("textarea[name=justification]").fill("We hold no such data")
    second.locator("textarea[name=justification]").press("Tab")
    page.wait_for_selector(f"#status-{q2}.saved")

    page.reload()
    assert page.locator(f"#question-{q1} input[name=value]").first.is_checked()
    assert page.locator(f"#comment-{q1}").input_value() == "Reviewed by legal in May"
    assert page.locator(f"#question-{q2} input[name=not_applicable]").is_checked()
    assert page.locator(f"#justification-{q2}").input_value() == "We hold no such data"
    assert page.locator(f"#evidence-{q1} a:has-text('policy.pdf')").count() == 1

    # The rest is filled in bulk (the browser part is above), then the officer submits in the page.
    officer = User.objects.get(username="officer")
    todo = True
    while todo:
        todo = [
            b
            for b in questionnaire_build(assessment=assessment).questions.values()
            if b.counts and not b.is_answered
        ]
        items = [
            (
                b.question.pk,
                AnswerInput(
                    value=valid_value(b.question), revision=b.answer.revision if b.answer else 0
                ),
            )
            for b in todo
        ]
        if items:
            answers_bulk_save(actor=officer, assessment=assessment, items=items)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    page.click("main a[href$='/submit/']")  # a confirmation page first
    page.click("form[action$='/submit/'] button")
    page.wait_for_selector(".astatus-submitted")
    assert Assessment.objects.get(pk=assessment.pk).status == AssessmentStatus.SUBMITTED


@pytest.mark.integration
def test_officer_gets_japanese_and_english_reports_without_reloading(
    live_server, demo, new_page, worker, tmp_path
):  # noqa: F811
    worker.start()
    page = new_page()
    sign_in(page, live_server.url, "officer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{demo.pk}/")
    page.click("#reports button[value=ja]")
    expect(page.locator("#reports tbody tr[id^=report-]")).to_have_count(1)
    page.click("#reports button[value=en]")
    expect(page.locator("#reports tbody tr[id^=report-]")).to_have_count(2)
    expect(page.locator("#reports a[href$='/download/']")).to_have_count(2, timeout=90_000)
    texts = {}
    for link in page.locator("#reports a[href$='/download/']").all():
        with page.expect_download() as download:
            link.click()
        path = tmp_path / download.value.suggested_filename
        download.value.save_as(path)
        reader = PdfReader(io.BytesIO(path.read_bytes()))
        texts[path.name.rsplit("-", 1)[-1]] = "".join(p.extract_text() for p in reader.pages)
        fonts = {
            str(f.get_object()["/BaseFont"])
            for p in reader.pages
            for f in (p["/Resources"].get("/Font") or {}).values()
        }
        assert any("Noto-Sans-CJK-JP" in f for f in fonts)
    # Statutes and guidelines are scored apart (no blended headline): check a framework's score.
    score = round(demo.reports.first().snapshot["frameworks"][0]["score"] * 100)
    assert (
        "AIガバナンス ギャップ分析レポート" in texts["ja.pdf"]
        and "フレームワークの種類別のギャップ" in texts["ja.pdf"]
    )
    assert (
        "AI governance gap report" in texts["en.pdf"]
        and "Gaps by kind of framework" in texts["en.pdf"]
    )
    for text in texts.values():
        assert f"{score}%" in text


def test_auditor_reads_cannot_change_and_verifies_a_report(live_server, demo, new_page, tmp_path):
    from portal.storage import stored_file_read
    from reports.services import REPORTS_FOLDER, report_render, report_request

    report = report_render(
        report_id=report_request(
            actor=User.objects.get(username="officer"), assessment=demo, language="ja"
        ).pk,
        worker="e2e:1",
    )
    page = new_page()
    sign_in(page, live_server.url, "auditor", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{demo.pk}/")
    assert page.locator("form[action$='/submit/']").count() == 0
    section = section_of(demo, "urn:tekigo:fw:appi")
    page.goto(f"{live_server.url}/assessments/{demo.pk}/sections/{section.section.pk}/")
    assert (
        page.locator("form.answer-form").count() == 0
        and page.locator("input[type=file]").count() == 0
    )
    question = demo.answers.first().question
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    forged = page.request.post(
        f"{live_server.url}/assessments/{demo.pk}/questions/{question.pk}/answer/",
        form={"type": question.type, "value": "no"},
        headers={"X-CSRFToken": token, "Referer": live_server.url + "/"},
    )
    assert forged.status == 403
    page.goto(f"{live_server.url}/assessments/{demo.pk}/")
    page.wait_for_selector("#reports a[href$='/download/']")
    with page.expect_download() as download:
        page.click("#reports a[href$='/download/']")
    saved = tmp_path / "report.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == stored_file_read(REPORTS_FOLDER, report.pdf_name)
    page.goto(f"{live_server.url}/reports/verify/")
    page.set_input_files("#file", str(saved))
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=Issued by Tekigo")
    assert demo.organisation.name in page.content()


def test_admin_clones_edits_diffs_publishes_and_assessments_follow(live_server, demo, new_page):
    version = demo.pins.get(framework__urn="urn:tekigo:fw:appi").version  # the newest APPI
    page = new_page()
    sign_in(page, live_server.url, "admin", PASSWORD)
    page.goto(f"{live_server.url}/frameworks/versions/{version.pk}/")
    page.fill("#id_version", "20261201")
    page.click("text=Clone into a draft")
    page.wait_for_selector(".status-draft")
    draft = FrameworkVersion.objects.get(framework=version.framework, version="20261201")
    question = draft.questions.order_by("order").first()
    page.goto(f"{live_server.url}/admin/frameworks/question/{question.pk}/change/")
    page.fill("#id_prompt_en", "Have you written down, precisely, every purpose of use?")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    page.goto(
        f"{live_server.url}/frameworks/{version.framework_id}/diff/?old={version.pk}&new={draft.pk}"
    )
    assert "prompt.en" in page.content() and "every purpose of use</ins>" in page.content()
    page.goto(f"{live_server.url}/frameworks/versions/{draft.pk}/")
    page.fill("#id_release_note_ja", "利用目的の質問を明確にした。")
    page.fill("#id_release_note_en", "Clarified the purpose-of-use question.")
    page.click("main .publish-form button[type=submit]")
    page.click("main button[name=confirm]")  # the confirmation step
    page.wait_for_selector(".status-published")

    officer = new_page()
    sign_in(officer, live_server.url, "officer", PASSWORD)
    officer.goto(f"{live_server.url}/assessments/new/")
    assert (
        officer.locator("label:has-text('(20261201)')").count() == 1
    )  # a new assessment pins the new version
    officer.goto(f"{live_server.url}/assessments/{demo.pk}/")
    officer.click("text=Review the upgrade")
    assert "1 changed question" in officer.content()
    officer.click("main button:has-text('Upgrade the assessment')")
    officer.wait_for_selector("text=Upgraded")
    assert demo.pins.get(framework=version.framework).version == draft


def test_switching_language_changes_interface_and_content(live_server, demo, new_page):
    page = new_page(locale="ja-JP")
    sign_in(page, live_server.url, "officer", PASSWORD)
    page.goto(f"{live_server.url}/frameworks/")
    assert "フレームワーク一覧" in page.content() and "個人情報の保護に関する法律" in page.content()
    page.click("button[name=language][value=en]")
    page.wait_for_selector("h1:has-text('Framework catalog')")
    assert "Act on the Protection of Personal Information" in page.content()
    page.goto(f"{live_server.url}/assessments/")  # the choice is remembered
    assert "Last change" in page.content()
    page.click("button[name=language][value=ja]")
    page.wait_for_selector("h1:has-text('評価')")


def test_questionnaire_works_by_keyboard_and_pages_have_no_critical_accessibility_violations(
    live_server, demo, new_page
):
    Answer.objects.all().delete()
    page = new_page()
    sign_in(page, live_server.url, "officer", PASSWORD)
    section = section_of(demo, "urn:tekigo:fw:appi")
    page.goto(f"{live_server.url}/assessments/{demo.pk}/sections/{section.section.pk}/")
    form = page.locator("form.answer-form:visible").first
    question = form.get_attribute("data-question")
    form.locator("input[name=value]").first.focus()
    page.keyboard.press("Space")  # select the first answer
    page.wait_for_selector(f"#status-{question}.saved")
    page.keyboard.press("ArrowRight")  # move to the next answer
    expect(page.locator(f"#revision-{question}")).to_have_value("2")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # "not applicable" is next in the tab order
    assert page.locator(f"#question-{question} input[name=not_applicable]").is_checked()

    # axe-core is injected as a script, which our Content-Security-Policy rightly forbids: the
    # audit runs in a second page that bypasses the CSP.
    audit = new_page(bypass_csp=True)
    sign_in(audit, live_server.url, "officer", PASSWORD)
    for url in [
        f"/assessments/{demo.pk}/",
        f"/assessments/{demo.pk}/sections/{section.section.pk}/",
        "/assessments/new/",
        "/frameworks/",
        "/reports/verify/",
    ]:
        page.goto(live_server.url + url)
        audit.goto(live_server.url + url)
        audit.add_script_tag(path=str(AXE))
        violations = audit.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => [v.id, v.impact, v.nodes.length])"
        )
        critical = [v for v in violations if v[1] == "critical"]
        assert critical == [], (url, critical)
        unlabeled = audit.evaluate(
            "() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(el => !el.labels?.length && !el.getAttribute('aria-label')).map(el => el.name)"
        )
        assert unlabeled == [], (url, unlabeled)


def test_two_browsers_saving_the_same_answer_see_a_conflict_and_lose_nothing(
    live_server, demo, new_page
):
    Answer.objects.all().delete()
    section = section_of(demo, "urn:tekigo:fw:appi")
    url = f"{live_server.url}/assessments/{demo.pk}/sections/{section.section.pk}/"
    first, second = new_page(), new_page()
    for page in (first, second):
        sign_in(page, live_server.url, "officer", PASSWORD)
        page.goto(url)
    question = first.locator("form.answer-form:visible").first.get_attribute("data-question")

    first.fill(f"#comment-{question}", "Text from the first browser")
    first.press(f"#comment-{question}", "Tab")
    first.wait_for_selector(f"#status-{question}.saved")
    second.fill(f"#comment-{question}", "Text from the second browser")
    second.press(f"#comment-{question}", "Tab")
    second.wait_for_selector(f"#status-{question}.conflict")
    assert "Text from the first browser" in second.locator(f"#conflict-{question}").inner_text()
    assert (
        second.locator(f"#comment-{question}").input_value() == "Text from the second browser"
    )  # still in the form
    assert Answer.objects.get(question_id=question).comment == "Text from the first browser"

    second.click(f"#conflict-{question} button")
    second.wait_for_selector(f"#status-{question}.saved")
    assert Answer.objects.get(question_id=question).comment == "Text from the second browser"
    from portal.models import AuditEvent

    saved = [
        e.after["comment"]
        for e in AuditEvent.objects.filter(event_type="answer.saved").order_by("id")
    ]
    assert saved[-2:] == [
        "Text from the first browser",
        "Text from the second browser",
    ]  # nothing lost
