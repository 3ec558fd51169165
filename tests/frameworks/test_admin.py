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
