"""Diffs between versions, export round trips and the version tree."""

import pytest
from django.core.management import call_command

from frameworks.files import parse_framework_file
from frameworks.models import Provision, Question, Section
from frameworks.selectors import (
    document_content_hash,
    framework_version_diff,
    framework_version_document,
    framework_version_tree,
)
from frameworks.services import (
    framework_content_delete,
    framework_content_save,
    framework_version_clone,
)
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def test_export_of_a_loaded_version_has_the_stored_hash(published_version):
    document = framework_version_document(version=published_version)
    assert document_content_hash(document) == published_version.content_hash


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_command_writes_a_file_that_loads_to_the_same_hash(published_version, tmp_path, fmt):
    out = tmp_path / f"export.{fmt}"
    call_command(
        "export_framework",
        "urn:tekigo:fw:example-act",
        "2025.1",
        "--format",
        fmt,
        "--output",
        str(out),
    )
    assert document_content_hash(parse_framework_file(out)) == published_version.content_hash


def test_export_all_writes_every_version(published_version, staff, tmp_path):
    framework_version_clone(actor=staff, version=published_version, label="2025.2")
    call_command("export_framework", "--all", "--output", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "example-act-2025.1.yaml",
        "example-act-2025.2.yaml",
    ]


def test_diff_of_identical_content_is_empty_but_for_the_label(published_version, staff):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    diff = framework_version_diff(old=published_version, new=draft)
    assert [c.field for c in diff.version_changes] == ["version"]
    assert not (diff.added or diff.removed or diff.changed)


def test_diff_shows_added_removed_and_changed_fields(published_version, staff):
    draft = framework_version_clone(actor=staff, version=published_version, label="2025.2")
    question = Question.objects.get(version=draft, urn__endswith="q:art-7-contact")
    question.prompt_en = "Have you named a contact point?"
    question.weight = 2
    framework_content_save(actor=staff, instance=question)
    framework_content_delete(
        actor=staff, instance=Question.objects.get(version=draft, urn__endswith="pi-channels")
    )
    added = QuestionFactory(
        provision=Provision.objects.get(version=draft, urn__endswith="prov:pi"),
        urn="urn:tekigo:fw:example-act:q:new-one",
    )

    diff = framework_version_diff(old=published_version, new=draft)
    assert ("question", added.urn, "Question?") in diff.added
    assert [r[1] for r in diff.removed] == ["urn:tekigo:fw:example-act:q:pi-channels"]
    (changed,) = diff.changed
    assert changed.key == "urn:tekigo:fw:example-act:q:art-7-contact"
    fields = {c.field: (c.old, c.new) for c in changed.changes}
    assert fields == {
        "prompt.en": ("Have you named a contact?", "Have you named a contact point?"),
        "weight": (1.0, 2.0),
    }


def test_version_tree_nests_sections_in_order_in_three_queries(
    published_version, django_assert_num_queries
):
    with django_assert_num_queries(3):
        tree = framework_version_tree(version=published_version)
        keys = [(n.section.key, [c.section.key for c in n.children]) for n in tree]
        questions = [q.urn for n in tree for p in n.provisions for q in p.questions.all()]
    assert keys == [("ch1", []), ("ch2", ["ch2-1"])]
    assert len(questions) == 2
    assert Section.objects.filter(version=published_version).count() == 3


# --- Diff presentation: field labels and word diff -------------------------------------------


def test_diff_field_paths_read_in_the_readers_language():
    from django.utils import translation

    from frameworks.selectors import field_label

    with translation.override("en"):
        assert field_label("summary.en") == "Summary (English)"
        assert field_label("choices[yes].label.ja") == "Choice yes › Label (Japanese)"
        assert field_label("strength") == "Strength"
        assert field_label("unknown_part") == "unknown_part"
    with translation.override("ja"):
        assert field_label("prompt.en") == "質問（英語）"
        assert field_label("statute.text_ja") == "法律 › 条文（日本語）"


def test_word_diff_keeps_common_words_and_groups_short_gaps():
    from frameworks.selectors import text_diff

    assert text_diff("Name a contact.", "Name a contact point.") == [
        ("equal", "Name a contact"),
        ("insert", " point"),
        ("equal", "."),
    ]
    # " x " is shorter than the changes on both sides: one change reads better than three.
    assert text_diff("Keep one two x three four.", "Keep five six x seven eight.") == [
        ("equal", "Keep "),
        ("delete", "one two x three four"),
        ("insert", "five six x seven eight"),
        ("equal", "."),
    ]
    assert text_diff("same", "same") == [("equal", "same")]
