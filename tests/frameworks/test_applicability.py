"""Applicability conditions are data, evaluated without eval, and explain themselves."""

import pytest
from pydantic import ValidationError

from frameworks.applicability import describe, evaluate
from frameworks.document import Condition

PROVIDER_WITH_PI = {
    "any": [
        {"fact": "roles", "includes": "ai_provider"},
        {"fact": "handles_personal_info", "is": True},
    ]
}


def test_any_condition_applies_and_names_the_facts_that_made_it_apply():
    result = evaluate(PROVIDER_WITH_PI, {"roles": ["ai_provider"], "handles_personal_info": True})
    assert result.applies
    assert result.reasons_en == ["you are an AI provider", "you handle personal information"]
    assert result.reasons_ja == ["AI提供者である", "個人情報を取り扱っている"]


def test_condition_that_does_not_apply_says_why():
    result = evaluate(PROVIDER_WITH_PI, {"roles": ["ai_business_user"]})
    assert not result.applies
    assert "you do not handle personal information" in result.reasons_en


def test_all_and_not_and_numeric_thresholds():
    condition = {
        "all": [
            {"fact": "develops_foundation_models", "is": True},
            {"not": {"fact": "foundation_model_parameters", "lt": 1e11}},
        ]
    }
    assert evaluate(
        condition, {"develops_foundation_models": True, "foundation_model_parameters": 2e11}
    ).applies
    assert not evaluate(
        condition, {"develops_foundation_models": True, "foundation_model_parameters": 5e10}
    ).applies
    assert not evaluate(condition, {"foundation_model_parameters": 2e11}).applies


def test_missing_facts_count_as_false_or_zero():
    assert not evaluate({"fact": "transfers_abroad", "is": True}, {}).applies
    assert evaluate({"fact": "transfers_abroad", "is": False}, {}).applies
    assert not evaluate({"fact": "foundation_model_parameters", "gte": 1}, {}).applies


def test_no_condition_always_applies():
    assert evaluate(None, {}).applies


def test_describe_renders_a_readable_condition_in_both_languages():
    assert (
        describe(PROVIDER_WITH_PI, "en")
        == "(you are an AI provider OR you handle personal information)"
    )
    assert describe(PROVIDER_WITH_PI, "ja") == "(AI提供者である または 個人情報を取り扱っている)"


@pytest.mark.parametrize(
    "bad",
    [
        {"fact": "roles", "includes": "astronaut"},
        {"fact": "handles_personal_info", "gte": 3},
        {"fact": "foundation_model_parameters", "is": True},
        {"all": [], "fact": "roles"},
        {"fact": "handles_personal_info"},
        {"any": [{"fact": "__import__('os')", "is": True}]},
    ],
)
def test_malformed_conditions_are_refused(bad):
    with pytest.raises(ValidationError):
        Condition.model_validate(bad)


def test_article_labels_follow_the_page_language():
    from django.utils import translation

    from portal.templatetags.tekigo import article_label

    with translation.override("ja"):
        assert [article_label(n) for n in ("26", "2-2", "suppl-2")] == [
            "第26条",
            "第2条の2",
            "附則第2条",
        ]
    with translation.override("en"):
        assert [article_label(n) for n in ("26", "suppl-2")] == ["Art. 26", "Suppl. Art. 2"]


def test_a_follow_up_answer_is_not_testable_in_the_catalog_only_what_it_implies():
    with pytest.raises(ValidationError, match="follow-up answer"):
        Condition.model_validate({"fact": "genai_vendor_use", "is": True})


def test_physical_ai_has_its_own_fact_separate_from_ai_agents():
    condition = {"fact": "develops_physical_ai", "is": True}
    assert evaluate(condition, {"develops_physical_ai": True}).applies
    assert not evaluate(condition, {"provides_ai_agents": True}).applies
