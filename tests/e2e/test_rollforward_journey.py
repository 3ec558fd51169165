"""Roll-forward in a real browser (issue 12): start from last year's assessment, see the answers
marked to re-confirm, confirm one unchanged and watch progress count it."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from assessments.models import Answer, Assessment
from assessments.services import AnswerInput, answer_save
from tests.conftest import question_of
from tests.e2e.conftest import sign_in

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed"),
]


def test_an_officer_starts_from_last_year_and_confirms_an_answer_unchanged(
    live_server, transactional_db, assessment, officer, new_page
):
    contact = question_of(assessment.pins.get().version, "q:art-7-contact")
    who = question_of(assessment.pins.get().version, "q:art-7-contact-who")
    for question, data in (
        (contact, AnswerInput(value="partial", comment="Drafted")),
        (who, AnswerInput(value="Ms Sato")),
    ):
        answer_save(actor=officer, assessment=assessment, question_id=question.pk, data=data)

    page = new_page()
    sign_in(page, live_server.url, "officer")
    page.goto(f"{live_server.url}/assessments/new/")
    page.select_option("#id_rollforward-previous", str(assessment.pk))
    page.fill("#id_rollforward-name", "FY2027 review")
    page.click("text=Create from the previous assessment")
    page.wait_for_url(re.compile(r"/assessments/\d+/$"))
    new = Assessment.objects.get(name="FY2027 review")

    page.goto(f"{live_server.url}/assessments/{new.pk}/sections/{contact.provision.section_id}/")
    card = page.locator(f"#question-{contact.pk}")
    assert card.locator("text=To re-confirm").count() == 1
    assert card.locator("input[name=value][value=partial]").is_checked()
    before = page.locator("#progress p").first.inner_text()
    assert re.search(r"\b0 / \d+", before), before

    card.locator("text=Confirm unchanged").click()
    expect(page.locator(f"#revision-{contact.pk}")).to_have_value("2")
    expect(page.locator(f"#status-{contact.pk}")).to_have_class(re.compile(r"\bsaved\b"))
    # The progress bar counts the confirmed answer without a reload; the badge is gone.
    expect(page.locator("#progress p").first).to_contain_text(re.compile(r"\b1 / \d+"))
    assert card.locator("text=To re-confirm").count() == 0
    answer = Answer.objects.get(assessment=new, question=contact)
    assert (answer.value, answer.comment, answer.revision) == ("partial", "Drafted", 2)
    assert not answer.reconfirm_required

    # Changing a carried answer confirms it too: the first autosave clears its badge, and the
    # next saves land in the status line as usual.
    who_card = page.locator(f"#question-{who.pk}")
    assert who_card.locator("text=To re-confirm").count() == 1
    who_card.locator("textarea[name=value]").fill("Mr Tanaka")
    expect(page.locator(f"#revision-{who.pk}")).to_have_value("2")
    assert who_card.locator("text=To re-confirm").count() == 0
    who_card.locator("textarea[name=value]").fill("Mr Tanaka, legal")
    expect(page.locator(f"#revision-{who.pk}")).to_have_value("3")
    expect(page.locator(f"#status-{who.pk}")).to_have_class(re.compile(r"\bsaved\b"))
    assert Answer.objects.get(assessment=new, question=who).value == "Mr Tanaka, legal"
