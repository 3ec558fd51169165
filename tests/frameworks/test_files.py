"""Reading framework files: every bad input is named by file, path and line."""

import pytest

from frameworks.files import FrameworkFileError, parse_framework_text
from tests.conftest import MINIMAL

TEXT = MINIMAL.read_text(encoding="utf-8")


def problems_of(text: str) -> list:
    with pytest.raises(FrameworkFileError) as info:
        parse_framework_text(text, name="fw.yaml")
    return info.value.problems


def test_minimal_file_parses_with_default_yes_no_partial_choices():
    document = parse_framework_text(TEXT, name="fw.yaml")
    question = document.sections[0].provisions[0].questions[0]
    assert [c.key for c in question.choices] == ["yes", "partial", "no"]
    assert [c.score for c in question.choices] == [1.0, 0.5, 0.0]


def test_malformed_yaml_reports_the_line():
    (problem,) = problems_of(TEXT.replace("key: ch1", "key: [ch1"))
    assert problem.file == "fw.yaml"
    assert "malformed YAML" in problem.message
    assert problem.line is not None


def test_malformed_json_reports_the_line():
    with pytest.raises(FrameworkFileError) as info:
        parse_framework_text('{"schema_version": 1,\n "urn": }', name="fw.json")
    assert info.value.problems[0].line == 2


def test_duplicate_yaml_key_is_refused():
    (problem,) = problems_of(
        TEXT.replace("legal_status: statute\n", "legal_status: statute\nlegal_status: statute\n")
    )
    assert "duplicate key 'legal_status'" in problem.message


def test_unknown_field_is_named_with_its_path_and_line():
    text = TEXT.replace("weight: 2\n", "weight: 2\n                colour: red\n")
    (problem,) = problems_of(text)
    assert problem.path == "sections[1].sections[0].provisions[0].questions[0].colour"
    assert "Extra inputs are not permitted" in problem.message
    assert problem.line == TEXT.splitlines().index("                weight: 2") + 2


def test_wrong_enum_value_names_the_field():
    (problem,) = problems_of(TEXT.replace("type: multiple_choice", "type: multi"))
    assert problem.path == "sections[1].sections[0].provisions[0].questions[0].type"
    assert "'multiple_choice'" in problem.message
    assert "line" in str(problem)


def test_wrong_strength_is_refused():
    (problem,) = problems_of(TEXT.replace("strength: binding_no_sanction", "strength: mandatory"))
    assert problem.path == "sections[0].provisions[0].strength"


def test_choice_score_outside_zero_to_one_is_refused():
    (problem,) = problems_of(TEXT.replace("score: 0.5}", "score: 1.5}"))
    assert problem.path.endswith("questions[0].choices[1].score")
    assert "less than or equal to 1" in problem.message


def test_duplicate_urn_is_refused_with_both_places():
    text = TEXT.replace(
        "urn:tekigo:fw:example-act:q:pi-channels", "urn:tekigo:fw:example-act:q:art-7-contact"
    )
    problems = problems_of(text)
    assert any(
        "duplicate URN" in p.message and "sections[0].provisions[0].questions[0]" in p.message
        for p in problems
    )


def test_question_depending_on_a_missing_question_is_refused():
    text = TEXT.replace(
        'question: "urn:tekigo:fw:example-act:q:art-7-contact"',
        'question: "urn:tekigo:fw:example-act:q:nowhere"',
    )
    (problem,) = problems_of(text)
    assert problem.path == "sections[0].provisions[0].questions[1].depends_on.question"
    assert "no question" in problem.message


def test_dependency_on_an_unknown_choice_is_refused():
    (problem,) = problems_of(TEXT.replace("answers: [yes, partial]", "answers: [yes, maybe]"))
    assert problem.path.endswith("depends_on.answers[1]")


def test_provision_citing_an_undeclared_source_is_refused():
    text = TEXT.replace(
        "        source: egov\n        confidence: verified_primary\n        statute:",
        "        source: nowhere\n        confidence: verified_primary\n        statute:",
    )
    (problem,) = problems_of(text)
    assert problem.path == "sections[0].provisions[0].source"


def test_government_duty_with_questions_is_refused():
    text = TEXT.replace("strength: binding_no_sanction", "strength: government_duty")
    (problem,) = problems_of(text)
    assert "government_duty" in problem.message


def test_reported_strength_outside_a_reported_version_is_refused():
    (problem,) = problems_of(TEXT.replace("strength: binding\n", "strength: reported\n"))
    assert "reported_unverified" in problem.message


def test_unknown_applicability_fact_is_refused():
    (problem,) = problems_of(TEXT.replace("fact: handles_personal_info", "fact: likes_cats"))
    assert "unknown fact 'likes_cats'" in problem.message


def test_yes_is_read_as_a_string_not_a_boolean():
    document = parse_framework_text(TEXT, name="fw.yaml")
    dep = document.sections[0].provisions[0].questions[1].depends_on
    assert dep.answers == ["yes", "partial"]


def test_file_that_is_not_a_mapping_is_refused():
    (problem,) = problems_of("- just\n- a list\n")
    assert "one mapping" in problem.message
