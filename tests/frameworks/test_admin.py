"""The admin as staff use it: saving forms unchanged changes nothing; edits are validated."""

import pytest
from django.urls import reverse

from frameworks.models import FrameworkVersion, Provision, Question, Section
from frameworks.selectors import framework_version_diff
from frameworks.services import framework_version_clone, framework_version_load
from portal.models import AuditEvent
from tests.frameworks.browser_form import form_data

pytestmark = pytest.mark.django_db

STATUTE_TEXT = (
    "第七条　活用事業者は、\n国の施策に協力しなければならない。\n２　前項の規定は、適用する。"
)


@pytest.fixture
def multiline_origin(minimal_document):
    """The minimal framework with multi-line texts, loaded and published: what editors clone."""
    data = minimal_document.model_dump(by_alias=True, exclude_none=True)
    data["notes"] = {"ja": "注記一行目\n注記二行目", "en": "Note line one\nNote line two"}
    section = data["sections"][0]
    section["description"] = {"ja": "説明一\n説明二", "en": "First line\nSecond line"}
    provision = section["provisions"][0]
    provision["statute"]["text_ja"] = STATUTE_TEXT
    provision["summary"] = {"ja": "要約一\n要約二", "en": "Summary one\nSummary two"}
    provision["questions"][0]["help"] = {"ja": "ヘルプ一\nヘルプ二", "en": "Help one\nHelp two"}
    document = type(minimal_document).model_validate(data)
    return framework_version_load(document=document).version


@pytest.fixture
def draft(multiline_origin, staff):
    return framework_version_clone(actor=staff, version=multiline_origin, label="2025.2")


def _content_changes(diff) -> list:
    """Everything the diff reports except the version label, which a clone changes by design."""
    head = [c for c in diff.version_changes if c.field != "version"]
    return head + diff.added + diff.removed + diff.changed


def _save_unchanged(client, url: str, form_id: str):
    page = client.get(url)
    assert page.status_code == 200, url
    data = form_data(page.content.decode(), form_id)
    data["_save"] = ["Save"]
    response = client.post(url, data)
    errors = ""
    if response.status_code == 200:
        errors = str(response.context["adminform"].form.errors) + str(
            [fs.formset.errors for fs in response.context["inline_admin_formsets"]]
        )
    assert response.status_code == 302, f"{url}: {errors}"


def test_browser_posts_textarea_line_breaks_as_crlf(staff_client, draft):
    """The reported bug's mechanism: what the tests below post is what browsers post."""
    provision = Provision.objects.get(version=draft, urn__endswith="prov:art-7")
    url = reverse("admin:frameworks_provision_change", args=[provision.pk])
    data = form_data(staff_client.get(url).content.decode(), "provision_form")
    assert data["article_text_ja"] == [STATUTE_TEXT.replace("\n", "\r\n")]


def test_saving_a_provision_form_unchanged_keeps_the_statute_text(staff_client, draft):
    provision = Provision.objects.get(version=draft, urn__endswith="prov:art-7")
    _save_unchanged(
        staff_client,
        reverse("admin:frameworks_provision_change", args=[provision.pk]),
        "provision_form",
    )
    provision.refresh_from_db()
    assert provision.article_text_ja == STATUTE_TEXT
    assert _content_changes(framework_version_diff(old=draft.cloned_from, new=draft)) == []


def test_saving_every_admin_form_of_a_draft_unchanged_changes_nothing(
    staff_client, draft, multiline_origin
):
    before = AuditEvent.objects.count()
    forms = [
        (
            reverse("admin:frameworks_frameworkversion_change", args=[draft.pk]),
            "frameworkversion_form",
        )
    ]
    forms += [
        (reverse("admin:frameworks_section_change", args=[pk]), "section_form")
        for pk in Section.objects.filter(version=draft).values_list("pk", flat=True)
    ]
    forms += [
        (reverse("admin:frameworks_provision_change", args=[pk]), "provision_form")
        for pk in Provision.objects.filter(version=draft).values_list("pk", flat=True)
    ]
    forms += [
        (reverse("admin:frameworks_question_change", args=[pk]), "question_form")
        for pk in Question.objects.filter(version=draft).values_list("pk", flat=True)
    ]
    assert len(forms) == 1 + 3 + 3 + 3
    for url, form_id in forms:
        _save_unchanged(staff_client, url, form_id)

    diff = framework_version_diff(
        old=multiline_origin, new=FrameworkVersion.objects.get(pk=draft.pk)
    )
    assert _content_changes(diff) == []
    assert AuditEvent.objects.count() == before


# --- Validated fields ------------------------------------------------------------------------


def _provision_page(client, provision):
    return client.get(reverse("admin:frameworks_provision_change", args=[provision.pk]))


def test_a_provision_offers_only_sections_and_sources_of_its_own_version(
    staff_client, draft, multiline_origin
):
    provision = Provision.objects.get(version=draft, urn__endswith="prov:art-7")
    form = _provision_page(staff_client, provision).context["adminform"].form
    sections = set(form.fields["section"].queryset.values_list("version_id", flat=True))
    sources = set(form.fields["source"].queryset.values_list("version_id", flat=True))
    assert sections == sources == {draft.pk}
    question = Question.objects.filter(version=draft).first()
    page = staff_client.get(reverse("admin:frameworks_question_change", args=[question.pk]))
    provisions = page.context["adminform"].form.fields["provision"].queryset
    assert set(provisions.values_list("version_id", flat=True)) == {draft.pk}


def test_actors_are_checkboxes_and_conditions_are_yaml_not_json(staff_client, draft):
    provision = Provision.objects.get(version=draft, urn__endswith="prov:pi")
    html = _provision_page(staff_client, provision).content.decode()
    assert 'type="checkbox" name="actors" value="personal_info_handler"' in html
    data = form_data(html, "provision_form")
    assert data["actors"] == ["personal_info_handler"]
    assert data["applies_when"][0].startswith("all:\r\n- fact: handles_personal_info")


def _post_changed(client, url, form_id, **changes):
    data = form_data(client.get(url).content.decode(), form_id)
    data.update({k: [v] if isinstance(v, str) else v for k, v in changes.items()})
    data["_save"] = ["Save"]
    return client.post(url, data)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("applies_when", "fact: shoe_size\nis: true", "unknown fact"),
        ("applies_when", "all: [", "YAML"),
        ("articles", "- number: seven", "number"),
        ("enforcement_articles", "148, Art. 178", "Art."),
        ("actors", [], "必須"),  # the admin speaks Japanese by default
    ],
)
def test_invalid_provision_input_is_a_form_error_and_changes_nothing(
    staff_client, draft, field, value, message
):
    provision = Provision.objects.get(version=draft, urn__endswith="prov:pi")
    before = AuditEvent.objects.count()
    url = reverse("admin:frameworks_provision_change", args=[provision.pk])
    response = _post_changed(
        staff_client, url, "provision_form", title_en="Renamed", **{field: value}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and message in str(errors[field])
    provision.refresh_from_db()
    assert provision.title_en == "Proper acquisition"
    assert AuditEvent.objects.count() == before


def test_choices_and_follow_up_are_validated_with_errors_naming_the_field(staff_client, draft):
    question = Question.objects.get(version=draft, urn__endswith="q:pi-channels")
    url = reverse("admin:frameworks_question_change", args=[question.pk])
    response = _post_changed(
        staff_client, url, "question_form", choices="- {key: web, label: {ja: ウェブ}, score: 2}"
    )
    errors = response.context["adminform"].form.errors["choices"]
    assert "[0].label.en: Field required" in str(errors)
    assert "[0].score" in str(errors)

    follow_up = Question.objects.get(version=draft, urn__endswith="q:art-7-contact-who")
    url = reverse("admin:frameworks_question_change", args=[follow_up.pk])
    response = _post_changed(staff_client, url, "question_form", depends_on_answers="yes, maybe")
    assert "maybe" in str(response.context["adminform"].form.errors["depends_on_answers"])
    follow_up.refresh_from_db()
    assert follow_up.depends_on_answers == ["yes", "partial"]


def test_valid_choices_are_stored_in_the_model_shape(staff_client, draft):
    question = Question.objects.get(version=draft, urn__endswith="q:pi-channels")
    url = reverse("admin:frameworks_question_change", args=[question.pk])
    response = _post_changed(
        staff_client,
        url,
        "question_form",
        choices="- {key: web, label: {ja: ウェブ, en: Web}, score: 1}\n"
        "- {key: mail, label: {ja: 郵便, en: Mail}, score: 0.25}",
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.choices[1] == {
        "key": "mail",
        "label_ja": "郵便",
        "label_en": "Mail",
        "score": 0.25,
    }
    event = AuditEvent.objects.get(
        event_type="framework_content.updated", object_id=str(question.pk)
    )
    assert event.after["choices"][1]["key"] == "mail"


def test_an_invalid_inline_question_saves_neither_the_provision_nor_the_question(
    staff_client, draft
):
    provision = Provision.objects.get(version=draft, urn__endswith="prov:pi")
    url = reverse("admin:frameworks_provision_change", args=[provision.pk])
    data = form_data(staff_client.get(url).content.decode(), "provision_form")
    data["title_en"] = ["Renamed"]
    data["questions-0-prompt_en"] = ["Changed too?"]
    data["questions-0-choices"] = ["- {key: web}"]
    data["_save"] = ["Save"]
    before = AuditEvent.objects.count()
    response = staff_client.post(url, data)
    assert response.status_code == 200
    (formset,) = response.context["inline_admin_formsets"]
    assert "choices" in formset.formset.errors[0]
    provision.refresh_from_db()
    assert provision.title_en == "Proper acquisition"
    assert not Question.objects.filter(version=draft, prompt_en="Changed too?").exists()
    assert AuditEvent.objects.count() == before
