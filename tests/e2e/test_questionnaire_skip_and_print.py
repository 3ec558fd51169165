"""The questionnaire in a real browser (issue 12): skip links by keyboard, printing, axe-core."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assessments.services import AnswerInput, answer_save
from frameworks.models import Section
from tests.conftest import question_of
from tests.e2e.conftest import sign_in

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed"),
]
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"


@pytest.fixture
def chapter1(assessment, officer):
    """Chapter 1 of the minimal framework, its first question answered "partly" with a comment."""
    version = assessment.pins.get().version
    contact = question_of(version, "q:art-7-contact")
    answer_save(
        actor=officer,
        assessment=assessment,
        question_id=contact.pk,
        data=AnswerInput(value="partial", comment="Named in the privacy policy"),
    )
    return Section.objects.get(version=version, key="ch1"), contact


def test_the_skip_links_are_the_first_keyboard_stops_and_reach_the_first_question(
    live_server, transactional_db, assessment, chapter1, new_page
):
    section, contact = chapter1
    page = new_page()
    sign_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/{section.pk}/")
    skip_main = page.locator("a.skip-link[href='#main']")
    skip_question = page.locator(f"a.skip-link[href='#question-{contact.pk}']")
    assert not skip_main.is_visible() or skip_main.bounding_box()["y"] < 0  # off screen

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    assert skip_main.bounding_box()["y"] >= 0  # shown when focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == f"#question-{contact.pk}"
    assert skip_question.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    page.wait_for_url(f"**#question-{contact.pk}")
    # The next Tab lands inside the first question, past the top bar and the section list.
    page.keyboard.press("Tab")
    assert page.evaluate(
        f"document.getElementById('question-{contact.pk}').contains(document.activeElement)"
    )

    # axe-core (injected, so in a page that bypasses our CSP) finds nothing serious or critical
    # on the pages this work changed: skip links, filters, the grouped list of missing answers.
    audit = new_page(bypass_csp=True)
    sign_in(audit, live_server.url, "officer")
    for url in [
        f"/assessments/{assessment.pk}/sections/{section.pk}/",
        f"/assessments/{assessment.pk}/questions/?open_query=on&unanswered=on",
        f"/assessments/{assessment.pk}/questions/?text=contact",
        f"/assessments/{assessment.pk}/submit/",
        f"/assessments/{assessment.pk}/?missing=1",
    ]:
        audit.goto(live_server.url + url)
        audit.add_script_tag(path=str(AXE))
        violations = audit.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => [v.id, v.impact])"
        )
        assert [v for v in violations if v[1] in ("serious", "critical")] == [], url


def test_printing_a_section_shows_questions_and_answers_without_the_navigation(
    live_server, transactional_db, assessment, chapter1, new_page
):
    section, contact = chapter1
    page = new_page()
    sign_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/sections/{section.pk}/")
    question = page.locator(f"#question-{contact.pk}")
    assert page.locator("nav.q-nav").is_visible()  # on screen, the section list is there

    page.emulate_media(media="print")
    for chrome in ["header.topbar", "nav.q-nav", "#progress", ".crumbs", "footer"]:
        assert not page.locator(chrome).is_visible(), chrome
    assert not question.locator("input[type=radio]").first.is_visible()
    assert not question.locator(".upload button").is_visible()  # no upload form on paper
    assert question.locator("h4").is_visible()
    # The chosen choice is printed, the others are not; the comment is printed as text.
    chosen = question.locator("label.choice:has(input[value=partial])")
    assert chosen.is_visible()
    assert not question.locator("label.choice:has(input[value=yes])").is_visible()
    assert not question.locator("label.na").is_visible()  # "not applicable" was not ticked
    comment = question.locator("textarea[name=comment]")
    assert comment.is_visible() and comment.input_value() == "Named in the privacy policy"
    assert comment.evaluate("el => getComputedStyle(el).borderTopStyle") == "none"

    page.emulate_media(media="screen")
    assert page.locator("nav.q-nav").is_visible()
