"""Autosave in a real browser: arrow keys in a radio group store one revision, not one per press
(issue 12); the sidebar counts move on every save (issue 12, issue 14)."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from assessments.models import Answer
from portal.models import AuditEvent
from tests.e2e.conftest import sign_in
from tests.e2e.test_journeys import PASSWORD, demo, section_of  # noqa: F401 (demo: a fixture)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed"),
]


def saved_values(question_id: str) -> list:
    return [
        e.after["value"]
        for e in AuditEvent.objects.filter(
            event_type="answer.saved", object_id=str(Answer.objects.get(question_id=question_id).pk)
        ).order_by("id")
    ]


def test_arrow_keys_through_a_radio_group_store_one_revision_and_a_click_saves_at_once(
    live_server,
    demo,  # noqa: F811 (the fixture imported above)
    new_page,
):
    Answer.objects.all().delete()
    page = new_page()
    sign_in(page, live_server.url, "officer", PASSWORD)
    section = section_of(demo, "urn:tekigo:fw:appi")
    page.goto(f"{live_server.url}/assessments/{demo.pk}/sections/{section.section.pk}/")
    form = next(
        f
        for f in page.locator("form.answer-form:visible").all()
        if f.locator("input[type=radio][name=value]").count() >= 3
    )
    question = form.get_attribute("data-question")
    radios = form.locator("input[type=radio][name=value]")
    nav_count = page.locator(f"#count-section-{section.section.pk}")
    nav_before = nav_count.inner_text()

    radios.first.focus()  # focused, not checked: nothing to save yet
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    last = form.locator("input[type=radio][name=value]:checked").get_attribute("value")
    expect(page.locator(f"#revision-{question}")).to_have_value("1")  # after the pause
    assert saved_values(question) == [last]  # one revision, with the last choice
    answered = int(re.match(r"(\d+)/", nav_before).group(1))
    expect(nav_count).to_have_text(re.compile(rf"^{answered + 1}/"))  # the sidebar moved

    clicked = next(
        r for r in radios.all() if r.get_attribute("value") != last
    )  # a click saves at once, without leaving the group
    clicked.click()
    expect(page.locator(f"#revision-{question}")).to_have_value("2")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # leaving the group saves the keyboard's choice without waiting
    expect(page.locator(f"#revision-{question}")).to_have_value("3")
    final = form.locator("input[type=radio][name=value]:checked").get_attribute("value")
    assert saved_values(question) == [last, clicked.get_attribute("value"), final]
    assert Answer.objects.get(question_id=question).value == final
