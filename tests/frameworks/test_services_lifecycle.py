"""Clone, publish, retire and delete drafts; each writes an audit row."""

import pytest
from django.core.exceptions import ValidationError

from frameworks.choices import VersionStatus
from frameworks.models import FrameworkVersion, FrozenContentError, Provision, Question
from frameworks.selectors import document_content_hash, framework_version_document
from frameworks.services import (
    document_normalise,
    framework_content_save,
    framework_version_clone,
    framework_version_draft_delete,
    framework_version_load,
    framework_version_publish,
    framework_version_retire,
)
from portal.models import AuditEvent, AuditEventType

pytestmark = pytest.mark.django_db


def test_clone_copies_content_into_new_rows_with_the_same_urns(published_version, staff):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    assert draft.status == VersionStatus.DRAFT
    assert draft.cloned_from == published_version
    old = dict(Question.objects.filter(version=published_version).values_list("urn", "pk"))
    new = dict(Question.objects.filter(version=draft).values_list("urn", "pk"))
    assert old.keys() == new.keys()
    assert not set(old.values()) & set(new.values())
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.FRAMEWORK_VERSION_CLONED, object_id=str(draft.pk)
    ).exists()


def test_clone_refuses_an_existing_label(published_version, staff):
    with pytest.raises(ValidationError, match="already has a version"):
        framework_version_clone(actor=staff, version=published_version, label="2025.1")


def test_publish_freezes_the_draft_with_the_hash_of_its_content(published_version, staff):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    published = framework_version_publish(actor=staff, version=draft)
    assert published.status == VersionStatus.PUBLISHED
    assert published.published_at is not None
    assert published.content_hash == document_content_hash(
        framework_version_document(version=published)
    )
    assert (
        published.content_hash != published_version.content_hash
    )  # the label is part of the content
    event = AuditEvent.objects.get(event_type=AuditEventType.FRAMEWORK_VERSION_PUBLISHED)
    assert event.before == {"status": "draft"}
    assert event.after["content_hash"] == published.content_hash
    assert event.actor == staff


def test_publish_refuses_a_draft_that_breaks_the_file_rules(published_version, staff):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    question = Question.objects.get(version=draft, urn__endswith="art-7-contact-who")
    question.depends_on_urn = "urn:tekigo:fw:example-act:q:gone"
    framework_content_save(actor=staff, instance=question)
    with pytest.raises(ValidationError) as info:
        framework_version_publish(actor=staff, version=draft)
    assert "depends_on.question: no question" in str(info.value)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_publish_reports_missing_english_text_by_path(published_version, staff):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    provision = Provision.objects.get(version=draft, urn__endswith="art-7")
    Provision.objects.filter(pk=provision.pk).update(title_en="")
    with pytest.raises(ValidationError, match=r"sections\[0\]\.provisions\[0\]\.title\.en"):
        framework_version_publish(actor=staff, version=draft)


def test_publishing_twice_is_refused(published_version, staff):
    with pytest.raises(ValidationError, match="already published"):
        framework_version_publish(actor=staff, version=published_version)


def test_retire_keeps_the_content_and_records_it(published_version, staff):
    framework_version_retire(actor=staff, version=published_version)
    published_version.refresh_from_db()
    assert published_version.status == VersionStatus.RETIRED
    assert published_version.retired_at is not None
    assert Question.objects.filter(version=published_version).count() == 3
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.FRAMEWORK_VERSION_RETIRED).count() == 1
    )
    with pytest.raises(ValidationError):
        framework_version_retire(actor=staff, version=published_version)


def test_drafts_can_be_deleted_published_versions_cannot(published_version, staff):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    framework_version_draft_delete(actor=staff, version=draft)
    assert not FrameworkVersion.objects.filter(pk=draft.pk).exists()
    assert not Question.objects.filter(version_id=draft.pk).exists()
    with pytest.raises(FrozenContentError):
        framework_version_draft_delete(actor=staff, version=published_version)


# --- Text normal form ------------------------------------------------------------------------


def test_draft_edits_store_text_in_normal_form_and_unchanged_saves_write_no_audit_row(
    published_version, staff
):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    question = Question.objects.filter(version=draft).first()
    before = AuditEvent.objects.count()
    question.help_en = "Line one  \r\nLine two\r\n"
    question.prompt_ja = "か\u3099"  # か + combining dakuten, as some IMEs paste it
    framework_content_save(actor=staff, instance=question)
    question.refresh_from_db()
    assert question.help_en == "Line one\nLine two"
    assert question.prompt_ja == "が"
    assert AuditEvent.objects.count() == before + 1
    question.help_en = "Line one\r\nLine two"
    framework_content_save(actor=staff, instance=question)
    assert AuditEvent.objects.count() == before + 1


def test_a_file_with_crlf_line_endings_loads_with_the_same_hash_as_with_lf(minimal_document):
    data = minimal_document.model_dump(by_alias=True, exclude_none=True)
    data["notes"] = {"ja": "一行目\n二行目", "en": "One\nTwo"}
    lf = type(minimal_document).model_validate(data)
    data["notes"] = {"ja": "一行目\r\n二行目", "en": "One \r\nTwo"}
    crlf = type(minimal_document).model_validate(data)
    assert document_content_hash(document_normalise(document=crlf)) == document_content_hash(lf)
    version = framework_version_load(document=crlf).version
    assert version.notes_en == "One\nTwo"
    assert version.content_hash == document_content_hash(lf)


def test_the_release_note_is_audited_but_not_hashed(published_version, staff):
    plain = framework_version_publish(
        actor=staff,
        version=framework_version_clone(actor=staff, version=published_version, label="2025.2"),
    )
    noted = framework_version_publish(
        actor=staff,
        version=framework_version_clone(actor=staff, version=published_version, label="2025.3"),
        release_note_ja="注記",
        release_note_en="A note \r\n",
    )
    assert noted.release_note_en == "A note"
    document = framework_version_document(version=noted)
    assert "release_note" not in document.model_dump_json()
    # The labels differ, so compare the hashes of the documents with one label.
    relabel = {"version": "x"}
    assert document_content_hash(document.model_copy(update=relabel)) == document_content_hash(
        framework_version_document(version=plain).model_copy(update=relabel)
    )
    event = AuditEvent.objects.get(
        event_type=AuditEventType.FRAMEWORK_VERSION_PUBLISHED, object_id=str(noted.pk)
    )
    assert event.after["release_note_ja"] == "注記"
    clone = framework_version_clone(actor=staff, version=noted, label="2025.4")
    assert clone.release_note_ja == ""  # a new draft writes its own note
