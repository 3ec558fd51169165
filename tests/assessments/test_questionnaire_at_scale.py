"""The questionnaire at scale (issue 12): the open-query filter, the grouped list of missing
answers, skip links, old section links after an upgrade, and the print stylesheet."""

from __future__ import annotations

import pytest

from assessments.selectors import (
    QuestionFilters,
    open_query_question_ids,
    question_review_list,
    questionnaire_build,
    questionnaire_filter,
)
from assessments.services import (
    AnswerInput,
    answer_save,
    assessment_submit,
    question_review_set,
)
from tests.conftest import question_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def version(assessment):
    return assessment.pins.get().version


def _save(assessment, officer, question, value):
    answer_save(
        actor=officer, assessment=assessment, question_id=question.pk, data=AnswerInput(value=value)
    )


@pytest.fixture
def reviewed(assessment, officer, auditor, version):
    """Submitted; the auditor queried the contact question, accepted the channels question."""
    contact = question_of(version, "q:art-7-contact")
    channels = question_of(version, "q:pi-channels")
    _save(assessment, officer, contact, "partial")
    _save(assessment, officer, channels, ["web"])
    assessment_submit(actor=officer, assessment=assessment)
    question_review_set(
        actor=auditor,
        assessment=assessment,
        question=contact,
        status="query",
        comment="Who is the contact?",
    )
    question_review_set(actor=auditor, assessment=assessment, question=channels, status="accepted")
    return assessment


# --- Open query filter ---------------------------------------------------------------------------


def test_open_query_ids_are_the_questions_the_reviews_page_lists_as_open(reviewed, version):
    contact = question_of(version, "q:art-7-contact")
    assert open_query_question_ids(assessment=reviewed) == {contact.pk}
    assert open_query_question_ids(assessment=reviewed) == {
        r.question_id for r in question_review_list(assessment=reviewed, open_only=True)
    }


def test_open_query_filter_keeps_only_questions_with_an_open_query(reviewed, version):
    blocks = questionnaire_filter(
        questionnaire=questionnaire_build(assessment=reviewed),
        filters=QuestionFilters(open_query=True),
        open_query_ids=open_query_question_ids(assessment=reviewed),
    )
    assert [b.question.urn.rsplit(":", 1)[-1] for b in blocks] == ["art-7-contact"]
    assert QuestionFilters(open_query=True).any


def test_open_query_filter_is_empty_without_queries(assessment):
    blocks = questionnaire_filter(
        questionnaire=questionnaire_build(assessment=assessment),
        filters=QuestionFilters(open_query=True),
        open_query_ids=open_query_question_ids(assessment=assessment),
    )
    assert blocks == []


def test_the_filter_page_lists_open_queries_for_members_and_404s_for_others(
    client, reviewed, officer, other_officer, version
):
    contact = question_of(version, "q:art-7-contact")
    channels = question_of(version, "q:pi-channels")
    url = f"/assessments/{reviewed.pk}/questions/?open_query=on"
    client.force_login(officer)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    content = page.content.decode()
    assert page.status_code == 200
    assert 'name="open_query"' in content and "Open query" in content
    assert "未解決の照会あり" in client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert f'id="question-{contact.pk}"' in content
    assert f'id="question-{channels.pk}"' not in content
    client.force_login(other_officer)
    assert client.get(url).status_code == 404


# --- Old section links after an upgrade --------------------------------------------------------


@pytest.fixture
def upgraded(assessment, officer, staff, version):
    """The assessment moved to 2025.2, which keeps chapters ch1 and ch2 and drops ch2-1."""
    from assessments.services import assessment_upgrade
    from frameworks.models import Section
    from frameworks.services import (
        framework_content_delete,
        framework_version_clone,
        framework_version_publish,
    )

    draft = framework_version_clone(actor=staff, version=version, label="2025.2")
    framework_content_delete(actor=staff, instance=Section.objects.get(version=draft, key="ch2-1"))
    target = framework_version_publish(actor=staff, version=draft)
    assessment_upgrade(
        actor=officer, assessment=assessment, pin=assessment.pins.get(), target=target
    )
    return target


def _section(version, key):
    from frameworks.models import Section

    return Section.objects.get(version=version, key=key)


def test_an_old_section_link_redirects_to_the_same_section_in_the_pinned_version(
    client, assessment, officer, version, upgraded
):
    client.force_login(officer)
    for key in ["ch1", "ch2"]:
        response = client.get(f"/assessments/{assessment.pk}/sections/{_section(version, key).pk}/")
        assert response.status_code == 302
        assert response["Location"] == (
            f"/assessments/{assessment.pk}/sections/{_section(upgraded, key).pk}/"
        )
    assert client.get(response["Location"]).status_code == 200


def test_a_link_to_a_section_the_new_version_dropped_goes_to_the_assessment_with_a_message(
    client, assessment, officer, version, upgraded
):
    client.force_login(officer)
    url = f"/assessments/{assessment.pk}/sections/{_section(version, 'ch2-1').pk}/"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "“Acquisition” is not in version 2025.2 of Example Act" in page.content.decode()


def test_an_auditor_member_follows_old_links_too(client, assessment, auditor, version, upgraded):
    client.force_login(auditor)
    response = client.get(f"/assessments/{assessment.pk}/sections/{_section(version, 'ch1').pk}/")
    assert response.status_code == 302


def test_old_section_links_give_non_members_the_same_404_as_a_missing_section(
    client, assessment, other_officer, version, upgraded
):
    import re

    def page(url):
        response = client.get(url)
        assert response.status_code == 404 and "Location" not in response
        # The same page but for the path and the CSRF token (masked anew in every response).
        text = response.content.decode().replace(url, "URL")
        return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', "", text)

    client.force_login(other_officer)
    old = page(f"/assessments/{assessment.pk}/sections/{_section(version, 'ch1').pk}/")
    assert old == page("/assessments/999999/sections/999999/")


def test_sections_of_drafts_or_of_frameworks_not_pinned_stay_404_for_members(
    client, assessment, officer, staff, version, upgraded
):
    from frameworks.services import framework_version_clone
    from tests.factories import SectionFactory

    client.force_login(officer)
    draft = framework_version_clone(actor=staff, version=upgraded, label="2025.3")
    foreign = SectionFactory()  # a section of another framework's draft
    for section in [_section(draft, "ch1"), foreign]:
        response = client.get(f"/assessments/{assessment.pk}/sections/{section.pk}/")
        assert response.status_code == 404
    # The pinned version's own sections are served as before, without a redirect.
    current = client.get(f"/assessments/{assessment.pk}/sections/{_section(upgraded, 'ch1').pk}/")
    assert current.status_code == 200


def test_the_ordinary_section_page_never_looks_for_a_moved_section(
    client, assessment, officer, version, monkeypatch
):
    from assessments import selectors

    def refuse(**kwargs):
        raise AssertionError("looked for a moved section")

    monkeypatch.setattr(selectors, "section_move_get", refuse)
    client.force_login(officer)
    url = f"/assessments/{assessment.pk}/sections/{_section(version, 'ch1').pk}/"
    assert client.get(url).status_code == 200


# --- Missing answers, grouped by framework and section ----------------------------------------


@pytest.fixture
def two_frameworks(officer, organisation, published_version, minimal_document):
    """An assessment of the minimal framework and of a second framework made from the same file."""
    from assessments.services import assessment_create
    from frameworks.services import framework_version_load
    from tests.conftest import PROVIDER_WITH_PI

    second = framework_version_load(
        document=minimal_document.model_copy(
            update={
                "urn": "urn:tekigo:fw:second-act",
                "short_name": minimal_document.short_name.model_copy(
                    update={"ja": "第二法", "en": "Second Act"}
                ),
            }
        )
    ).version
    return assessment_create(
        actor=officer,
        organisation=organisation,
        name="Two frameworks",
        versions=[published_version, second],
        scoping=PROVIDER_WITH_PI,
    )


def _shape(missing):
    return [
        (
            f.framework.pin.version.short_name_en,
            [
                (s.section.section.key, [b.question.urn.rsplit(":", 1)[-1] for b in s.questions])
                for s in f.sections
            ],
        )
        for f in missing.frameworks
    ]


def test_missing_answers_are_grouped_by_framework_then_top_level_section(two_frameworks, officer):
    from assessments.selectors import missing_answer_list

    questionnaire = questionnaire_build(assessment=two_frameworks)
    missing = missing_answer_list(questionnaire=questionnaire)
    # pi-channels sits in ch2-1, a subsection: it is listed under its chapter, ch2.
    per_framework = [("ch1", ["art-7-contact"]), ("ch2", ["pi-channels"])]
    assert _shape(missing) == [("Example Act", per_framework), ("Second Act", per_framework)]
    assert missing.count == 4
    assert {b.question.pk for f in missing.frameworks for s in f.sections for b in s.questions} == {
        b.question.pk for b in questionnaire.missing()
    }


def test_a_framework_or_section_with_nothing_missing_is_left_out(assessment, officer, version):
    from assessments.selectors import missing_answer_list

    _save(assessment, officer, question_of(version, "q:art-7-contact"), "no")
    missing = missing_answer_list(questionnaire=questionnaire_build(assessment=assessment))
    assert _shape(missing) == [("Example Act", [("ch2", ["pi-channels"])])]
    _save(assessment, officer, question_of(version, "q:pi-channels"), ["web"])
    missing = missing_answer_list(questionnaire=questionnaire_build(assessment=assessment))
    assert not missing and missing.count == 0


def test_submitting_an_incomplete_assessment_lists_the_missing_answers_grouped_with_links(
    client, two_frameworks, officer
):
    from frameworks.models import Question, Section

    client.force_login(officer)
    response = client.post(
        f"/assessments/{two_frameworks.pk}/submit/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    listing = page[page.index('id="missing"') :]
    assert listing.index("Example Act") < listing.index("Second Act")
    for pin in two_frameworks.pins.all():
        ch2 = Section.objects.get(version=pin.version, key="ch2")
        channels = Question.objects.get(version=pin.version, urn__endswith="q:pi-channels")
        # Linked to the question on its chapter's page, under the chapter's heading.
        link = f'/assessments/{two_frameworks.pk}/sections/{ch2.pk}/#question-{channels.pk}"'
        assert link in listing
        assert listing.index(f'/sections/{ch2.pk}/">') < listing.index(link)
    # The confirmation page shows the same list before the officer tries.
    confirm = client.get(f"/assessments/{two_frameworks.pk}/submit/").content.decode()
    assert 'id="missing"' in confirm and confirm.count("#question-") == 4


def test_the_confirmation_page_of_a_complete_assessment_lists_nothing(
    client, assessment, officer, version
):
    _save(assessment, officer, question_of(version, "q:art-7-contact"), "no")
    _save(assessment, officer, question_of(version, "q:pi-channels"), ["web"])
    client.force_login(officer)
    confirm = client.get(f"/assessments/{assessment.pk}/submit/")
    assert confirm.status_code == 200 and 'id="missing"' not in confirm.content.decode()


# --- Skip links ----------------------------------------------------------------------------------


def test_every_page_starts_with_a_skip_link_to_the_main_content(client, assessment, officer):
    client.force_login(officer)
    page = client.get(f"/assessments/{assessment.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode().split("<body", 1)[1]
    first_link = body[body.index("<a ") : body.index("</a>")]
    assert 'class="skip-link" href="#main"' in first_link and "Skip to main content" in first_link
    assert '<main id="main" tabindex="-1">' in body
    japanese = client.get(f"/assessments/{assessment.pk}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert "メインコンテンツへ移動" in japanese.content.decode()


def test_the_section_page_skips_to_its_first_shown_question(client, assessment, officer, version):
    client.force_login(officer)
    # Chapter 2 holds its question in a subsection (ch2-1): the link finds it there.
    for key, first in [("ch1", "q:art-7-contact"), ("ch2", "q:pi-channels")]:
        url = f"/assessments/{assessment.pk}/sections/{_section(version, key).pk}/"
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        target = question_of(version, first).pk
        link = f'<a class="skip-link" href="#question-{target}">Skip to the first question</a>'
        assert link in page
        # It comes right after "skip to main content", before the top bar, and its target exists.
        assert page.index('href="#main"') < page.index(link) < page.index('class="topbar"')
        assert f'id="question-{target}"' in page


def test_the_filter_page_skips_to_its_first_result(client, assessment, officer, version):
    client.force_login(officer)
    url = f"/assessments/{assessment.pk}/questions/?text=contact"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    target = question_of(version, "q:art-7-contact").pk
    assert f'<a class="skip-link" href="#question-{target}">' in page
    nothing = client.get(f"/assessments/{assessment.pk}/questions/?text=zzzz").content.decode()
    assert 'href="#question-' not in nothing


def _css_rules(path: str) -> list[tuple[list[str], str]]:
    """(selectors, declarations) of each rule of a static CSS file, comments removed."""
    import re

    from django.contrib.staticfiles import finders

    css = re.sub(r"/\*.*?\*/", "", open(finders.find(path), encoding="utf-8").read(), flags=re.S)
    return [
        ([s.strip() for s in selectors.split(",")], body)
        for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    ]


def test_skip_links_are_off_screen_until_focused():
    rules = {tuple(selectors): body for selectors, body in _css_rules("css/tekigo.css")}
    assert "top: -4rem" in rules[(".skip-link",)] and "position: absolute" in rules[(".skip-link",)]
    assert "top: .5rem" in rules[(".skip-link:focus",)]


# --- Print stylesheet ---------------------------------------------------------------------------


def test_pages_link_the_print_stylesheet_for_print_media_only(client, assessment, officer, version):
    client.force_login(officer)
    url = f"/assessments/{assessment.pk}/sections/{_section(version, 'ch1').pk}/"
    page = client.get(url).content.decode()
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in page


def test_the_print_stylesheet_hides_navigation_buttons_and_widgets():
    hidden = {
        selector
        for selectors, body in _css_rules("css/print.css")
        if "display: none" in body
        for selector in selectors
    }
    navigation = {".topbar", "nav", ".q-nav", ".crumbs", ".progress-panel", ".skip-link"}
    widgets = {"button", ".upload", ".review-form", ".reply-form", ".save-status", ".section-na"}
    assert navigation | widgets <= hidden
    # Only the chosen choice is printed; the radio buttons and checkboxes are not.
    assert ".answer-controls label.choice:not(:has(input:checked))" in hidden
    assert ".answer-form input[type=radio]" in hidden
    # Answers and comments stay: nothing hides the question, its answer form or a textarea.
    for kept in [".question", ".answer-form", "textarea", ".answer-readonly", ".review-thread"]:
        assert not any(kept == s or s.endswith(" " + kept) for s in hidden), kept


def test_a_section_with_nothing_applicable_has_no_skip_to_question_link(
    client, assessment, officer, version
):
    from assessments.models import Assessment
    from assessments.scoping import ScopingProfile
    from assessments.selectors import section_first_question_get

    # Without personal information, chapter 2's only provision does not apply.
    Assessment.objects.filter(pk=assessment.pk).update(
        scoping=ScopingProfile(roles=["ai_provider"]).model_dump()
    )
    questionnaire = questionnaire_build(assessment=Assessment.objects.get(pk=assessment.pk))
    chapter2 = questionnaire.sections[_section(version, "ch2").pk]
    chapter1 = questionnaire.sections[_section(version, "ch1").pk]
    assert section_first_question_get(section=chapter2) is None
    first = section_first_question_get(section=chapter1)
    assert first.question == question_of(version, "q:art-7-contact")
    client.force_login(officer)
    page = client.get(f"/assessments/{assessment.pk}/sections/{chapter2.section.pk}/")
    assert page.status_code == 200 and 'href="#question-' not in page.content.decode()


# --- Speed -----------------------------------------------------------------------------------------


def test_the_assessment_list_renders_in_a_constant_number_of_queries(
    client, assessment, officer, organisation, published_version
):
    """The organisation's assessment list (``assessments:dashboard``) with progress bars: the
    bench measured 107 queries for 50 assessments before the questionnaires were built together."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.services import assessment_create
    from tests.conftest import PROVIDER_WITH_PI

    client.force_login(officer)

    def count() -> int:
        client.get("/assessments/")
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/assessments/")
        assert page.status_code == 200
        return len(queries)

    _save(assessment, officer, question_of(published_version, "q:art-7-contact"), "yes")
    few = count()
    for index in range(8):
        other = assessment_create(
            actor=officer,
            organisation=organisation,
            name=f"Review {index}",
            versions=[published_version],
            scoping=PROVIDER_WITH_PI,
        )
        _save(other, officer, question_of(published_version, "q:art-7-contact"), "partial")
    assert count() == few
    # Each row shows its own progress: the contact question answered, its follow-up and the
    # channels question not (1 of 3).
    assert client.get("/assessments/").content.decode().count("</progress> 1/3</td>") == 9
