"""Loading framework files: idempotent, atomic, and never changing a published version."""

import shutil

import pytest
from django.core.management import CommandError, call_command

from frameworks.choices import VersionStatus
from frameworks.files import FrameworkFileError
from frameworks.models import FrameworkVersion, Provision, Question, Section, Source
from frameworks.selectors import document_content_hash
from frameworks.services import FrameworkLoadError, framework_files_load, framework_version_load
from portal.models import AuditEvent, AuditEventType
from tests.conftest import MINIMAL

pytestmark = pytest.mark.django_db


def row_counts():
    return [m.objects.count() for m in (FrameworkVersion, Source, Section, Provision, Question)]


def test_load_creates_a_published_version_with_its_hash(minimal_document):
    result = framework_version_load(document=minimal_document)
    version = result.version
    assert result.action == "created"
    assert version.status == VersionStatus.PUBLISHED
    assert version.content_hash == document_content_hash(minimal_document)
    assert row_counts() == [1, 1, 3, 3, 3]
    nested = Section.objects.get(key="ch2-1")
    assert nested.parent.key == "ch2"
    assert (
        AuditEvent.objects.filter(event_type=AuditEventType.FRAMEWORK_VERSION_LOADED).count() == 1
    )


def test_second_load_changes_nothing_and_says_so(minimal_document):
    framework_version_load(document=minimal_document)
    before = row_counts()
    result = framework_version_load(document=minimal_document)
    assert result.action == "unchanged"
    assert row_counts() == before


def test_load_command_is_idempotent(capsys):
    call_command("load_frameworks", str(MINIMAL))
    call_command("load_frameworks", str(MINIMAL))
    out = capsys.readouterr().out
    assert "1 version(s) loaded" in out
    assert "No change: all 1 version(s) already loaded." in out
    assert FrameworkVersion.objects.count() == 1


def test_changed_content_under_a_published_label_is_refused(minimal_document):
    framework_version_load(document=minimal_document)
    changed = minimal_document.model_copy(deep=True)
    changed.sections[0].provisions[0].title.en = "Something else"
    with pytest.raises(FrameworkLoadError, match="give the file a new version label"):
        framework_version_load(document=changed)
    assert (
        Provision.objects.get(urn="urn:tekigo:fw:example-act:prov:art-7").title_en
        != "Something else"
    )


def test_one_bad_file_among_good_ones_writes_nothing(tmp_path):
    good = tmp_path / "good.yaml"
    shutil.copy(MINIMAL, good)
    other = tmp_path / "other.yaml"
    other.write_text(
        MINIMAL.read_text().replace("urn:tekigo:fw:example-act", "urn:tekigo:fw:other-act")
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINIMAL.read_text()
        .replace("urn:tekigo:fw:example-act", "urn:tekigo:fw:bad")
        .replace("type: multiple_choice", "type: essay")
    )
    with pytest.raises(FrameworkFileError) as info:
        framework_files_load(paths=[good, other, bad])
    assert info.value.problems[0].file == "bad.yaml"
    assert row_counts() == [0, 0, 0, 0, 0]


def test_a_refused_version_late_in_the_batch_rolls_back_the_earlier_ones(
    tmp_path, minimal_document
):
    framework_version_load(document=minimal_document)
    before = row_counts()
    fresh = tmp_path / "a-fresh.yaml"
    fresh.write_text(
        MINIMAL.read_text().replace("urn:tekigo:fw:example-act", "urn:tekigo:fw:fresh")
    )
    conflicting = tmp_path / "b-conflict.yaml"
    conflicting.write_text(
        MINIMAL.read_text().replace("Must cooperate with national measures.", "Changed.")
    )
    with pytest.raises(FrameworkFileError, match="b-conflict.yaml"):
        framework_files_load(paths=[fresh, conflicting])
    assert row_counts() == before


def test_load_command_error_names_the_file_and_path(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.read_text().replace("score: 0.5}", "score: 2}"))
    with pytest.raises(CommandError) as info:
        call_command("load_frameworks", str(bad))
    message = str(info.value)
    assert "nothing was loaded" in message
    assert (
        "bad.yaml: sections[1].sections[0].provisions[0].questions[0].choices[1].score (line"
        in message
    )


def test_the_same_version_twice_in_one_batch_is_refused(tmp_path):
    copy = tmp_path / "copy.yaml"
    shutil.copy(MINIMAL, copy)
    with pytest.raises(FrameworkFileError, match="also in"):
        framework_files_load(paths=[MINIMAL, copy])
    assert row_counts() == [0, 0, 0, 0, 0]
