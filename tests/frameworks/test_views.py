"""Catalog pages: who sees what, languages, staff actions and query counts."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frameworks.choices import VersionStatus
from frameworks.models import FrameworkVersion, Provision, Question
from frameworks.services import framework_version_clone
from portal.models import AuditEvent, AuditEventType
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

RELEASE = {
    "effective_date": "2026-01-01",
    "release_note_ja": "第7条の質問を改めた。",
    "release_note_en": "Reworded the Art. 7 question.",
}


def urls_for(version):
    provision = Provision.objects.filter(version=version).first()
    return [
        reverse("frameworks:catalog"),
        reverse("frameworks:version", args=[version.pk]),
        reverse("frameworks:provision", args=[version.pk, provision.pk]),
        reverse("frameworks:diff", args=[version.framework_id]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, published_version):
    for url in urls_for(published_version):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_signed_in_users_browse_the_catalog(reader_client, published_version):
    for url in urls_for(published_version):
        assert reader_client.get(url).status_code == 200


def test_catalog_shows_versions_with_status_and_legal_status(reader_client, published_version):
    page = reader_client.get(reverse("frameworks:catalog")).content.decode()
    assert "例示法" in page
    assert "status-published" in page
    assert "legal-statute" in page


def test_drafts_are_hidden_from_non_staff_with_a_404(reader_client, staff, published_version):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    for url in urls_for(draft)[1:3]:
        assert reader_client.get(url).status_code == 404
    assert "2025.2" not in reader_client.get(reverse("frameworks:catalog")).content.decode()


def test_staff_see_drafts(staff_client, published_version, staff):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    assert staff_client.get(reverse("frameworks:version", args=[draft.pk])).status_code == 200
    assert "2025.2" in staff_client.get(reverse("frameworks:catalog")).content.decode()


def test_language_switch_changes_interface_and_content(reader_client, published_version):
    url = reverse("frameworks:version", args=[published_version.pk])
    page = reader_client.get(url).content.decode()
    assert "活用事業者の責務" in page
    reader_client.post(reverse("set_language"), {"language": "en", "next": url})
    page = reader_client.get(url).content.decode()
    assert "Duties of utilization business operators" in page
    assert "Sign out" in page
    assert 'lang="en"' in page
    reader_client.post(reverse("set_language"), {"language": "ja", "next": url})
    page = reader_client.get(url).content.decode()
    assert "活用事業者の責務" in page
    assert "ログアウト" in page


def test_provision_page_shows_source_strength_applicability_and_statute(
    reader_client, published_version
):
    provision = Provision.objects.get(version=published_version, urn__endswith="prov:pi")
    reader_client.post(reverse("set_language"), {"language": "en"})
    page = reader_client.get(
        reverse("frameworks:provision", args=[published_version.pk, provision.pk])
    ).content.decode()
    assert "strength-binding" in page
    assert "you handle personal information" in page
    assert "e-Gov法令検索" in page
    assert "Which channels?" in page


def test_version_page_query_count_does_not_grow_with_content(
    reader_client, published_version, staff
):
    url = reverse("frameworks:version", args=[published_version.pk])
    reader_client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        reader_client.get(url)
    draft = framework_version_clone(actor=staff, version=published_version, label="big")
    provision = Provision.objects.filter(version=draft).first()
    QuestionFactory.create_batch(20, provision=provision)
    staff_client = reader_client
    staff_client.force_login(staff)
    staff_client.get(reverse("frameworks:version", args=[draft.pk]))
    with CaptureQueriesContext(connection) as big:
        staff_client.get(reverse("frameworks:version", args=[draft.pk]))
    assert len(big) == len(small)
    assert len(small) <= 9  # 8, plus the header's unread-notification count


def test_staff_clone_publish_and_retire_from_the_version_page(staff_client, published_version):
    response = staff_client.post(
        reverse("frameworks:clone", args=[published_version.pk]), {"version": "2025.2"}
    )
    draft = FrameworkVersion.objects.get(version="2025.2")
    assert response["Location"] == reverse("frameworks:version", args=[draft.pk])
    staff_client.post(reverse("frameworks:publish", args=[draft.pk]), {**RELEASE, "confirm": "1"})
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    staff_client.post(
        reverse("frameworks:retire", args=[published_version.pk]),
        {"reason": "Superseded by 2025.2", "confirm": "1"},
    )
    published_version.refresh_from_db()
    assert published_version.status == VersionStatus.RETIRED


def test_clone_with_a_bad_label_shows_the_error_and_changes_nothing(
    staff_client, published_version
):
    response = staff_client.post(
        reverse("frameworks:clone", args=[published_version.pk]), {"version": "../x"}, follow=True
    )
    assert response.status_code == 200
    assert FrameworkVersion.objects.count() == 1
    assert "letters, digits" in response.content.decode() or "英数字" in response.content.decode()


@pytest.mark.parametrize("action", ["clone", "publish", "retire", "delete"])
def test_non_staff_cannot_run_lifecycle_actions(reader_client, published_version, action):
    response = reader_client.post(
        reverse(f"frameworks:{action}", args=[published_version.pk]), {"version": "2025.9"}
    )
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    published_version.refresh_from_db()
    assert published_version.status == VersionStatus.PUBLISHED
    assert FrameworkVersion.objects.count() == 1


def test_lifecycle_actions_need_post(staff_client, published_version):
    assert (
        staff_client.get(reverse("frameworks:publish", args=[published_version.pk])).status_code
        == 405
    )


def test_publishing_an_invalid_draft_shows_the_problem(staff_client, staff, published_version):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    Question.objects.filter(version=draft, urn__endswith="art-7-contact-who").update(
        depends_on_urn="urn:tekigo:fw:example-act:q:gone"
    )
    response = staff_client.post(
        reverse("frameworks:publish", args=[draft.pk]), {**RELEASE, "confirm": "1"}, follow=True
    )
    assert "depends_on.question" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_diff_page_lists_field_changes(staff_client, staff, published_version):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    Question.objects.filter(version=draft, urn__endswith="q:art-7-contact").update(
        prompt_en="Reworded?"
    )
    url = reverse("frameworks:diff", args=[published_version.framework_id])
    page = staff_client.get(url, {"old": published_version.pk, "new": draft.pk}).content.decode()
    assert "prompt.en" in page
    assert "<del>Have you named a contact</del><ins>Reworded</ins>?" in page


def test_missing_objects_give_404(reader_client, published_version):
    assert reader_client.get(reverse("frameworks:version", args=[9999])).status_code == 404
    assert (
        reader_client.get(
            reverse("frameworks:provision", args=[published_version.pk, 9999])
        ).status_code
        == 404
    )
    assert reader_client.get(reverse("frameworks:diff", args=[9999])).status_code == 404


# --- Publish and retire: form, confirmation, audit -------------------------------------------


def test_publishing_asks_for_date_and_release_note_then_confirmation(
    staff_client, staff, published_version
):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    url = reverse("frameworks:publish", args=[draft.pk])
    page = staff_client.get(reverse("frameworks:version", args=[draft.pk])).content.decode()
    assert 'name="release_note_ja"' in page and 'name="effective_date"' in page

    missing = staff_client.post(url, {"effective_date": "2026-01-01", "release_note_ja": "x"})
    assert missing.status_code == 200
    assert "release_note_en" in missing.context["form"].errors
    Question.objects.filter(version=draft, urn__endswith="q:art-7-contact").update(
        prompt_en="Reworded?"
    )
    confirm = staff_client.post(url, RELEASE)
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.content.decode()
    assert len(confirm.context["diff"].changed) == 1  # what is about to be frozen
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT  # nothing happens before the confirmation

    staff_client.post(url, {**RELEASE, "confirm": "1"})
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert str(draft.effective_date) == "2026-01-01"
    assert draft.release_note_en == "Reworded the Art. 7 question."
    event = AuditEvent.objects.get(
        event_type=AuditEventType.FRAMEWORK_VERSION_PUBLISHED, object_id=str(draft.pk)
    )
    assert event.after["release_note_ja"] == "第7条の質問を改めた。"
    assert event.after["effective_date"] == "2026-01-01"
    shown = staff_client.get(reverse("frameworks:version", args=[draft.pk])).content.decode()
    assert "第7条の質問を改めた。" in shown


def test_retiring_asks_for_a_reason_then_confirmation_and_audits_it(
    staff_client, published_version
):
    url = reverse("frameworks:retire", args=[published_version.pk])
    assert "reason" in staff_client.post(url, {}).context["form"].errors
    assert 'name="confirm"' in staff_client.post(url, {"reason": "Superseded"}).content.decode()
    published_version.refresh_from_db()
    assert published_version.status == VersionStatus.PUBLISHED
    staff_client.post(url, {"reason": "Superseded", "confirm": "1"})
    published_version.refresh_from_db()
    assert published_version.status == VersionStatus.RETIRED
    event = AuditEvent.objects.get(event_type=AuditEventType.FRAMEWORK_VERSION_RETIRED)
    assert event.after["reason"] == "Superseded"


# --- Diff page: word diff, labels and titles in the reader's language ------------------------


def _diff_page(client, old, new, language):
    client.post(reverse("set_language"), {"language": language})
    url = reverse("frameworks:diff", args=[old.framework_id])
    return client.get(url, {"old": old.pk, "new": new.pk}).content.decode()


def test_diff_page_marks_the_changed_words_of_a_long_text_escaped(
    staff_client, staff, published_version
):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    Provision.objects.filter(version=draft, urn__endswith="prov:art-7").update(
        summary_en="Must cooperate with <b>all</b> national measures.",
        summary_ja="国の施策に積極的に協力しなければならない。",
    )
    page = _diff_page(staff_client, published_version, draft, "en")
    assert "Must cooperate with <ins>&lt;b&gt;all&lt;/b&gt; </ins>national measures." in page
    assert "<b>all</b>" not in page
    assert re.search(r"国の施策<ins>に積極的</ins>に協力|国の施策に<ins>積極的に</ins>協力", page)


def test_diff_page_labels_fields_and_titles_in_the_readers_language(
    staff_client, staff, published_version
):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    Provision.objects.filter(version=draft, urn__endswith="prov:art-7").update(
        summary_en="Must cooperate.", strength="effort_duty"
    )
    Question.objects.filter(version=draft, urn__endswith="q:art-7-contact").update(
        prompt_en="Reworded?"
    )
    english = _diff_page(staff_client, published_version, draft, "en")
    assert "Summary (English)" in english and "Strength" in english
    assert "Art. 7 Duties of utilization business operators" in english
    assert "Reworded" in english
    japanese = _diff_page(staff_client, published_version, draft, "ja")
    assert "要約（英語）" in japanese and "義務の強さ" in japanese
    assert "Art. 7 活用事業者の責務" in japanese  # the file has no ref_ja for it
    assert "窓口を決めていますか。" in japanese  # the question's prompt in Japanese
    assert "Duties of utilization business operators" not in japanese
