"""The bilingual review register covers every question of the newest catalog versions and goes
stale the moment a question's Japanese or English changes (issue 10, point 15)."""

from pathlib import Path

import pytest
from django.conf import settings

from frameworks.bilingual_review import (
    REGISTER_PATH,
    main,
    newest_documents,
    question_wording_hash,
    register_load,
    register_problems,
)
from frameworks.document import ChoiceDoc, Text, iter_questions
from frameworks.files import parse_framework_file

pytestmark = pytest.mark.db_independent

CATALOG = sorted(Path(settings.FRAMEWORK_CATALOG_DIR).glob("*.yaml"))


@pytest.fixture(scope="module")
def named():
    return [(path.name, parse_framework_file(path)) for path in CATALOG]


@pytest.fixture(scope="module")
def register():
    return register_load()


def _copy(newest):
    """A deep copy of the newest documents that a test may change."""
    return {urn: (name, doc.model_copy(deep=True)) for urn, (name, doc) in newest.items()}


def test_register_matches_every_question_of_the_newest_versions(named, register):
    newest = newest_documents(named)
    assert register_problems(register=register, newest=newest) == []
    reviewed = sum(len(f.questions) for f in register.frameworks)
    assert reviewed == sum(1 for _n, d in newest.values() for _q in iter_questions(d))


def test_register_is_not_one_of_the_framework_files_the_loader_reads():
    assert REGISTER_PATH.exists() and REGISTER_PATH not in CATALOG


def test_newest_version_is_the_latest_date_then_the_file_loaded_last(named):
    newest = {urn: doc.version for urn, (_name, doc) in newest_documents(named).items()}
    assert newest == {
        "urn:tekigo:fw:ai-guideline": "20251219r2",
        "urn:tekigo:fw:ai-promotion-act": "20250901r3",
        "urn:tekigo:fw:appi": "20260717r2",
        "urn:tekigo:fw:fm-tiers-reported": "2026.2",  # undated: the reported record is newest
        "urn:tekigo:fw:meti-ai-guidelines": "1.2r3",
    }


@pytest.mark.parametrize(
    "change",
    [
        lambda q: setattr(q.prompt, "ja", q.prompt.ja + "（変更）"),
        lambda q: setattr(q.prompt, "en", q.prompt.en + " (changed)"),
        lambda q: setattr(q, "help", Text(ja="新しい説明", en="New help")),
        lambda q: setattr(q.remediation, "en", q.remediation.en.replace("e", "E", 1)),
        lambda q: q.choices.append(ChoiceDoc(key="new", label=Text(ja="新", en="New"), score=0)),
        lambda q: setattr(q.choices[0].label, "ja", "はい（一部）"),
    ],
    ids=["prompt-ja", "prompt-en", "help", "remediation", "choice-added", "choice-label"],
)
def test_any_change_to_what_a_user_reads_makes_the_entry_stale(named, register, change):
    newest = _copy(newest_documents(named))
    _name, appi = newest["urn:tekigo:fw:appi"]
    _where, question = next(
        (w, q) for w, q in iter_questions(appi) if q.urn.endswith(":art-27-consent")
    )
    before = question_wording_hash(question)
    change(question)
    assert question_wording_hash(question) != before
    (problem,) = register_problems(register=register, newest=newest)
    assert problem.startswith("urn:tekigo:fw:appi:q:art-27-consent: wording changed")


def test_a_change_that_users_do_not_read_keeps_the_entry(named, register):
    newest = _copy(newest_documents(named))
    _name, appi = newest["urn:tekigo:fw:appi"]
    _where, question = next(iter_questions(appi))
    question.weight = 2.0
    assert register_problems(register=register, newest=newest) == []


def test_a_new_question_a_removed_question_and_a_newer_version_are_reported(named, register):
    newest = _copy(newest_documents(named))
    _name, guideline = newest["urn:tekigo:fw:ai-guideline"]
    provision = guideline.sections[0].provisions[0]
    added = provision.questions[0].model_copy(
        deep=True, update={"urn": "urn:tekigo:fw:ai-guideline:q:brand-new"}
    )
    removed = provision.questions[-1].urn
    provision.questions = [*provision.questions[:-1], added]
    guideline.version = "20251219r9"
    problems = register_problems(register=register, newest=newest)
    assert any("q:brand-new: new in" in p for p in problems)
    assert any(p.startswith(f"{removed}: in the register but no longer") for p in problems)
    assert any("newest is 20251219r9" in p for p in problems)


def test_a_framework_nobody_reviewed_is_reported(named, register):
    newest = _copy(newest_documents(named))
    name, tiers = newest.pop("urn:tekigo:fw:fm-tiers-reported")
    newest["urn:tekigo:fw:new-framework"] = (
        "new-framework-1.yaml",
        tiers.model_copy(update={"urn": "urn:tekigo:fw:new-framework"}),
    )
    problems = register_problems(register=register, newest=newest)
    assert "urn:tekigo:fw:new-framework: new-framework-1.yaml has never been reviewed" in problems
    assert "urn:tekigo:fw:fm-tiers-reported: in the register but not in the catalog" in problems


ALIGNED = [  # (published version, the version that aligned its question wording)
    ("ai-guideline-20251219.yaml", "ai-guideline-20251219r2.yaml"),
    ("ai-promotion-act-20250901r2.yaml", "ai-promotion-act-20250901r3.yaml"),
    ("appi-20260717.yaml", "appi-20260717r2.yaml"),
    ("meti-ai-guidelines-1.2r2.yaml", "meti-ai-guidelines-1.2r3.yaml"),
]


def _without_wording(document) -> dict:
    """The document with the version label, the notes and every question's wording left out."""
    data = document.model_dump(mode="json", by_alias=True, exclude_none=True)
    del data["version"], data["notes"]

    def strip(sections):
        for section in sections:
            for provision in section.get("provisions", []):
                for question in provision.get("questions", []):
                    for field in ("prompt", "help", "remediation"):
                        question.pop(field, None)
                    for choice in question.get("choices", []):
                        choice.pop("label")
            strip(section.get("sections", []))

    strip(data["sections"])
    return data


@pytest.mark.parametrize(("old", "new"), ALIGNED, ids=[new for _old, new in ALIGNED])
def test_an_aligned_version_changes_only_question_wording_and_says_so_in_both_languages(
    register, old, new
):
    before = parse_framework_file(Path(settings.FRAMEWORK_CATALOG_DIR) / old)
    after = parse_framework_file(Path(settings.FRAMEWORK_CATALOG_DIR) / new)
    # Same URNs, statute text, strengths, enforcement, conditions, legal status and sources.
    assert _without_wording(after) == _without_wording(before)
    assert after.version != before.version
    note_ja = after.notes.ja.removeprefix(before.notes.ja)
    note_en = after.notes.en.removeprefix(before.notes.en)
    assert note_ja != after.notes.ja and f"（{after.version}）" in note_ja
    assert note_en != after.notes.en and f"({after.version})" in note_en
    old_wording = {q.urn: question_wording_hash(q) for _w, q in iter_questions(before)}
    changed = {
        q.urn for _w, q in iter_questions(after) if question_wording_hash(q) != old_wording[q.urn]
    }
    (reviewed,) = [f for f in register.frameworks if f.urn == after.urn]
    assert (
        changed
        and {urn for urn, entry in reviewed.questions.items() if entry.aligned_in == after.version}
        == changed
    )


def test_the_command_line_check_names_the_question_to_read_again(named, tmp_path, capsys):
    for name, _document in newest_documents(named).values():  # the newest files are enough
        path = Path(settings.FRAMEWORK_CATALOG_DIR) / name
        text = path.read_text(encoding="utf-8")
        if path.name == "appi-20260717r2.yaml":
            text = text.replace("偽りその他不正の手段で取得", "不正な手段で取得", 1)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    assert main([str(tmp_path)]) == 1
    (problem,) = capsys.readouterr().err.splitlines()
    assert problem.startswith("urn:tekigo:fw:appi:q:art-20-lawful-sources: wording changed")
