"""Catalog pages: who sees what, languages, staff actions and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frameworks.choices import VersionStatus
from frameworks.models import FrameworkVersion, Provision, Question
from frameworks.services import framework_version_clone
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


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
    staff_client.post(reverse("frameworks:publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    staff_client.post(reverse("frameworks:retire", args=[published_version.pk]))
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
    response = staff_client.post(reverse("frameworks:publish", args=[draft.pk]), follow=True)
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
    assert "Reworded?" in page


def test_missing_objects_give_404(reader_client, published_version):
    assert reader_client.get(reverse("frameworks:version", args=[9999])).status_code == 404
    assert (
        reader_client.get(
            reverse("frameworks:provision", args=[published_version.pk, 9999])
        ).status_code
        == 404
    )
    assert reader_client.get(reverse("frameworks:diff", args=[9999])).status_code == 404
