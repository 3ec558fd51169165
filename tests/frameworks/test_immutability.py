"""Published content never changes: every write path is refused, and drafts stay editable."""

import pytest
from django.urls import reverse

from frameworks.choices import VersionStatus
from frameworks.models import (
    FrameworkVersion,
    FrozenContentError,
    Provision,
    Question,
    Section,
    Source,
)
from frameworks.services import (
    framework_content_save,
    framework_version_clone,
    framework_version_retire,
)
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

CONTENT_MODELS = [Source, Section, Provision, Question]


def test_orm_save_of_a_published_version_field_is_refused(published_version):
    published_version.name_en = "Renamed"
    with pytest.raises(FrozenContentError):
        published_version.save()
    published_version.refresh_from_db()
    assert published_version.name_en == "Example Act"


def test_published_version_cannot_go_back_to_draft(published_version):
    published_version.status = VersionStatus.DRAFT
    with pytest.raises(FrozenContentError):
        published_version.save()


@pytest.mark.parametrize("model", CONTENT_MODELS)
def test_orm_save_of_published_content_is_refused(published_version, model):
    row = model.objects.filter(version=published_version).first()
    row.order = 99
    with pytest.raises(FrozenContentError):
        row.save()


@pytest.mark.parametrize("model", CONTENT_MODELS)
def test_orm_delete_of_published_content_is_refused(published_version, model):
    row = model.objects.filter(version=published_version).first()
    with pytest.raises(FrozenContentError):
        row.delete()
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", CONTENT_MODELS)
def test_queryset_update_of_published_content_is_refused(published_version, model):
    with pytest.raises(FrozenContentError):
        model.objects.filter(version=published_version).update(order=9999)
    assert not model.objects.filter(order=9999).exists()


@pytest.mark.parametrize("model", CONTENT_MODELS)
def test_queryset_delete_of_published_content_is_refused(published_version, model):
    count = model.objects.count()
    with pytest.raises(FrozenContentError):
        model.objects.filter(version=published_version).delete()
    assert model.objects.count() == count


def test_bulk_update_of_published_questions_is_refused(published_version):
    questions = list(Question.objects.filter(version=published_version))
    for q in questions:
        q.weight = 9
    with pytest.raises(FrozenContentError):
        Question.objects.bulk_update(questions, ["weight"])


def test_bulk_create_into_a_published_version_is_refused(published_version):
    provision = Provision.objects.filter(version=published_version).first()
    with pytest.raises(FrozenContentError):
        Question.objects.bulk_create(
            [
                Question(
                    version=published_version,
                    provision=provision,
                    urn="urn:tekigo:fw:x:q:new",
                    type="text",
                    prompt_ja="a",
                    prompt_en="a",
                    remediation_ja="a",
                    remediation_en="a",
                )
            ]
        )


def test_adding_a_row_to_a_published_version_is_refused(published_version):
    with pytest.raises(FrozenContentError):
        Section.objects.create(version=published_version, key="new", title_ja="新", title_en="New")


def test_queryset_update_and_delete_of_published_versions_are_refused(published_version):
    with pytest.raises(FrozenContentError):
        FrameworkVersion.objects.filter(pk=published_version.pk).update(name_en="x")
    with pytest.raises(FrozenContentError):
        FrameworkVersion.objects.filter(pk=published_version.pk).delete()
    with pytest.raises(FrozenContentError):
        published_version.delete()
    assert FrameworkVersion.objects.filter(pk=published_version.pk, name_en="Example Act").exists()


def test_retired_content_is_frozen_too(published_version, staff):
    framework_version_retire(actor=staff, version=published_version)
    question = Question.objects.filter(version=published_version).first()
    question.prompt_en = "Changed"
    with pytest.raises(FrozenContentError):
        question.save()


def test_service_refuses_to_edit_published_content(published_version, staff):
    question = Question.objects.filter(version=published_version).first()
    question.prompt_en = "Changed"
    with pytest.raises(FrozenContentError, match="clone it into a draft"):
        framework_content_save(actor=staff, instance=question)


def test_draft_content_can_be_edited_and_deleted(published_version, staff):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    question = Question.objects.filter(version=draft).first()
    question.prompt_en = "Changed"
    framework_content_save(actor=staff, instance=question)
    assert Question.objects.get(pk=question.pk).prompt_en == "Changed"
    Question.objects.filter(version=draft).update(weight=3)
    Question.objects.filter(version=draft).delete()
    assert not Question.objects.filter(version=draft).exists()
    assert Question.objects.filter(version=published_version).count() == 3


# --- admin --------------------------------------------------------------------------------------


def test_admin_change_form_of_a_published_question_is_read_only(staff_client, published_version):
    question = Question.objects.filter(version=published_version).first()
    url = reverse("admin:frameworks_question_change", args=[question.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert b'name="prompt_en"' not in page.content  # shown as text, not as an input
    response = staff_client.post(
        url,
        {
            "prompt_en": "Hacked",
            "prompt_ja": "x",
            "type": "text",
            "urn": question.urn,
            "version": published_version.pk,
            "provision": question.provision_id,
            "weight": 1,
            "remediation_ja": "x",
            "remediation_en": "x",
            "order": 0,
        },
    )
    assert response.status_code == 403
    assert Question.objects.get(pk=question.pk).prompt_en != "Hacked"


def test_admin_cannot_delete_a_published_provision(staff_client, published_version):
    provision = Provision.objects.filter(version=published_version).first()
    url = reverse("admin:frameworks_provision_delete", args=[provision.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    assert Provision.objects.filter(pk=provision.pk).exists()


def test_admin_cannot_change_or_delete_a_published_version(staff_client, published_version):
    change = reverse("admin:frameworks_frameworkversion_change", args=[published_version.pk])
    assert staff_client.post(change, {"name_en": "Hacked"}).status_code == 403
    delete = reverse("admin:frameworks_frameworkversion_delete", args=[published_version.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    published_version.refresh_from_db()
    assert published_version.name_en == "Example Act"


def test_admin_bulk_delete_action_skips_nothing_and_refuses_published(
    staff_client, published_version
):
    questions = list(
        Question.objects.filter(version=published_version).values_list("pk", flat=True)
    )
    url = reverse("admin:frameworks_question_changelist")
    staff_client.post(
        url, {"action": "delete_selected", "_selected_action": questions, "post": "yes"}
    )
    assert Question.objects.filter(pk__in=questions).count() == len(questions)


def test_admin_edits_a_draft_question_and_audits_it(staff_client, staff, published_version):
    from portal.models import AuditEvent, AuditEventType

    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    question = QuestionFactory(provision=Provision.objects.filter(version=draft).first())
    url = reverse("admin:frameworks_question_change", args=[question.pk])
    data = {
        "version": draft.pk,
        "provision": question.provision_id,
        "urn": question.urn,
        "type": "yes_no_partial",
        "prompt_ja": "新しい質問",
        "prompt_en": "New wording?",
        "help_ja": "",
        "help_en": "",
        "choices": '[{"key": "yes", "label_ja": "はい", "label_en": "Yes", "score": 1}, {"key": "no", "label_ja": "いいえ", "label_en": "No", "score": 0}]',
        "weight": 2,
        "required": "on",
        "remediation_ja": "対応",
        "remediation_en": "Fix",
        "depends_on_urn": "",
        "depends_on_answers": "[]",
        "order": 5,
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.prompt_en == "New wording?"
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.FRAMEWORK_CONTENT_UPDATED, object_id=str(question.pk)
    ).exists()


def test_admin_refuses_a_choice_score_outside_zero_to_one(staff_client, staff, published_version):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    question = QuestionFactory(provision=Provision.objects.filter(version=draft).first())
    url = reverse("admin:frameworks_question_change", args=[question.pk])
    data = {
        "version": draft.pk,
        "provision": question.provision_id,
        "urn": question.urn,
        "type": "single_choice",
        "prompt_ja": "質問",
        "prompt_en": "Q?",
        "choices": '[{"key": "a", "label_ja": "a", "label_en": "a", "score": 3}, {"key": "b", "label_ja": "b", "label_en": "b", "score": 0}]',
        "weight": 1,
        "remediation_ja": "x",
        "remediation_en": "x",
        "depends_on_answers": "[]",
        "order": 1,
    }
    response = staff_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["choices"]
    assert "[0].score" in str(errors["choices"])
    question.refresh_from_db()
    assert question.type == "yes_no_partial"


def test_admin_edits_draft_version_details_and_audits_them(staff_client, staff, published_version):
    from portal.models import AuditEvent, AuditEventType

    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    url = reverse("admin:frameworks_frameworkversion_change", args=[draft.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update({"name_en": "Example Act (revised)", "effective_date": "2026-01-01"})
    data.update(
        {
            "sources-TOTAL_FORMS": "1",
            "sources-INITIAL_FORMS": "1",
            "sources-MIN_NUM_FORMS": "0",
            "sources-MAX_NUM_FORMS": "1000",
        }
    )
    source = Source.objects.get(version=draft)
    data.update(
        {
            "sources-0-id": source.pk,
            "sources-0-version": draft.pk,
            "sources-0-key": source.key,
            "sources-0-title": source.title,
            "sources-0-publisher": source.publisher,
            "sources-0-url": source.url,
            "sources-0-date": "2025-09-01",
            "sources-0-confidence": source.confidence,
            "sources-0-order": 0,
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    draft.refresh_from_db()
    assert draft.name_en == "Example Act (revised)"
    event = AuditEvent.objects.get(event_type=AuditEventType.FRAMEWORK_VERSION_UPDATED)
    assert (
        event.before["name_en"] == "Example Act"
        and event.after["name_en"] == "Example Act (revised)"
    )
