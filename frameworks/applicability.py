"""Applicability conditions: which provisions apply to an organisation's scoping profile.

A condition is plain data in a framework file, evaluated by a small interpreter
(never ``eval``). Four shapes exist::

    {fact: handles_personal_info, is: true}          # a yes/no fact
    {fact: roles, includes: ai_provider}              # a role the organisation holds
    {fact: foundation_model_parameters, gte: 1.0e10}  # a number at least (or ``lt``: below)
    {all: [...]}, {any: [...]}, {not: {...}}          # combinations

Evaluating a condition against a profile also yields the reasons, so the portal
can say "applies because you are an AI provider and handle personal information".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from frameworks.choices import Actor

ROLE_ACTORS = (Actor.AI_DEVELOPER, Actor.AI_PROVIDER, Actor.AI_BUSINESS_USER, Actor.RND_INSTITUTION)


@dataclass(frozen=True)
class Fact:
    """One answer in the scoping profile, with how to say it in either language."""

    name: str
    kind: str  # "bool", "roles" or "number"
    label_ja: str
    label_en: str
    true_ja: str = ""
    true_en: str = ""
    false_ja: str = ""
    false_en: str = ""


FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in [
        Fact("roles", "roles", "AIに関する役割", "AI roles"),
        Fact(
            "handles_personal_info",
            "bool",
            "個人情報を取り扱う",
            "Handles personal information",
            "個人情報を取り扱っている",
            "you handle personal information",
            "個人情報を取り扱っていない",
            "you do not handle personal information",
        ),
        Fact(
            "handles_special_care_info",
            "bool",
            "要配慮個人情報を取り扱う",
            "Handles special care-required personal information",
            "要配慮個人情報を取り扱っている",
            "you handle special care-required personal information",
            "要配慮個人情報を取り扱っていない",
            "you do not handle special care-required personal information",
        ),
        Fact(
            "provides_to_third_parties",
            "bool",
            "個人データを第三者に提供する",
            "Provides personal data to third parties",
            "個人データを第三者に提供している",
            "you provide personal data to third parties",
            "個人データを第三者に提供していない",
            "you do not provide personal data to third parties",
        ),
        Fact(
            "transfers_abroad",
            "bool",
            "個人データを外国にある第三者に提供する",
            "Provides personal data to third parties abroad",
            "個人データを外国にある第三者に提供している",
            "you provide personal data to third parties abroad",
            "個人データを外国に提供していない",
            "you do not provide personal data abroad",
        ),
        Fact(
            "outsources_personal_data",
            "bool",
            "個人データの取扱いを委託する",
            "Entrusts the handling of personal data to others",
            "個人データの取扱いを委託している",
            "you entrust the handling of personal data to others",
            "個人データの取扱いを委託していない",
            "you do not entrust the handling of personal data",
        ),
        Fact(
            "handles_personally_referable_info",
            "bool",
            "個人関連情報を第三者に提供する",
            "Provides personally referable information to third parties",
            "個人関連情報（Cookie等）を第三者に提供している",
            "you provide personally referable information (cookies, IDs) to third parties",
            "個人関連情報を第三者に提供していない",
            "you do not provide personally referable information to third parties",
        ),
        Fact(
            "uses_pseudonymised_info",
            "bool",
            "仮名加工情報を作成・利用する",
            "Creates or uses pseudonymously processed information",
            "仮名加工情報を作成・利用している",
            "you create or use pseudonymously processed information",
            "仮名加工情報を利用していない",
            "you do not use pseudonymously processed information",
        ),
        Fact(
            "uses_anonymised_info",
            "bool",
            "匿名加工情報を作成・利用する",
            "Creates or uses anonymously processed information",
            "匿名加工情報を作成・利用している",
            "you create or use anonymously processed information",
            "匿名加工情報を利用していない",
            "you do not use anonymously processed information",
        ),
        Fact(
            "uses_external_genai_with_personal_data",
            "bool",
            "外部の生成AIサービスに個人データを入力する",
            "Puts personal data into external generative-AI services",
            "外部の生成AIサービスに個人データを入力している",
            "you put personal data into external generative-AI services",
            "外部の生成AIサービスに個人データを入力していない",
            "you do not put personal data into external generative-AI services",
        ),
        Fact(
            "develops_foundation_models",
            "bool",
            "基盤モデルを開発する",
            "Develops foundation models",
            "基盤モデルを開発している",
            "you develop foundation models",
            "基盤モデルを開発していない",
            "you do not develop foundation models",
        ),
        Fact(
            "foundation_model_parameters",
            "number",
            "最大の基盤モデルのパラメータ数",
            "Parameter count of the largest foundation model",
        ),
        Fact(
            "frontier_capabilities",
            "bool",
            "最先端（フロンティア）級の能力を持つモデルを開発する",
            "Develops models with frontier capabilities",
            "最先端級の能力を持つモデルを開発している",
            "you develop models with frontier capabilities",
            "最先端級の能力を持つモデルを開発していない",
            "you do not develop models with frontier capabilities",
        ),
        Fact(
            "provides_ai_agents",
            "bool",
            "自律的に行動するAIエージェントを開発・提供・利用する",
            "Develops, provides or uses autonomous AI agents",
            "AIエージェントを開発・提供・利用している",
            "you develop, provide or use AI agents",
            "AIエージェントを扱っていない",
            "you do not work with AI agents",
        ),
    ]
}

ROLE_LABELS = {actor.value: actor.label for actor in ROLE_ACTORS}


@dataclass
class Evaluation:
    """The outcome of a condition, with the profile facts that decided it."""

    applies: bool
    reasons_ja: list[str] = field(default_factory=list)
    reasons_en: list[str] = field(default_factory=list)


_ROLE_TEXT = {
    "ai_developer": ("AI開発者である", "you are an AI developer"),
    "ai_provider": ("AI提供者である", "you are an AI provider"),
    "ai_business_user": ("AI利用者である", "you are an AI business user"),
    "rnd_institution": ("研究開発機関である", "you are an R&D institution"),
}


def _leaf_text(condition: dict[str, Any], holds: bool) -> tuple[str, str]:
    fact = FACTS[condition["fact"]]
    if "includes" in condition:
        ja, en = _ROLE_TEXT.get(
            condition["includes"], (condition["includes"], condition["includes"])
        )
        return (ja, en) if holds else (f"{ja}、に該当しない", f"not true that {en}")
    if "is" in condition:
        truthy = condition["is"] == holds
        return (fact.true_ja, fact.true_en) if truthy else (fact.false_ja, fact.false_en)
    bound = condition.get("gte", condition.get("lt"))
    relation_en = "at least" if ("gte" in condition) == holds else "below"
    relation_ja = "以上" if ("gte" in condition) == holds else "未満"
    return (
        f"{fact.label_ja}が{bound:,.0f}{relation_ja}",
        f"{fact.label_en.lower()} is {relation_en} {bound:,.0f}",
    )


def evaluate(condition: dict[str, Any] | None, profile: dict[str, Any]) -> Evaluation:
    """Evaluate ``condition`` against ``profile`` (a dict of fact name to value).

    Missing facts count as false (or empty, or zero), so an incomplete profile
    never makes a duty appear to apply by accident or vanish silently: the
    reasons show which fact decided.
    """
    if condition is None:
        return Evaluation(True)
    if "all" in condition:
        parts = [evaluate(c, profile) for c in condition["all"]]
        if all(p.applies for p in parts):
            return _merge(True, parts)
        return _merge(False, [p for p in parts if not p.applies][:1])
    if "any" in condition:
        parts = [evaluate(c, profile) for c in condition["any"]]
        hits = [p for p in parts if p.applies]
        return _merge(True, hits) if hits else _merge(False, parts)
    if "not" in condition:
        inner = evaluate(condition["not"], profile)
        return Evaluation(not inner.applies, inner.reasons_ja, inner.reasons_en)
    value = profile.get(condition["fact"])
    if "includes" in condition:
        holds = condition["includes"] in (value or [])
    elif "is" in condition:
        holds = bool(value) == condition["is"]
    elif "gte" in condition:
        holds = (value or 0) >= condition["gte"]
    else:
        holds = (value or 0) < condition["lt"]
    ja, en = _leaf_text(condition, holds)
    return Evaluation(holds, [ja], [en])


def _merge(applies: bool, parts: list[Evaluation]) -> Evaluation:
    result = Evaluation(applies)
    for part in parts:
        result.reasons_ja.extend(part.reasons_ja)
        result.reasons_en.extend(part.reasons_en)
    return result


def describe(condition: dict[str, Any] | None, language: str) -> str:
    """A readable rendering of a condition, for provision pages.

    >>> describe({"any": [{"fact": "roles", "includes": "ai_provider"}, {"fact": "handles_personal_info", "is": True}]}, "en")
    '(you are an AI provider OR you handle personal information)'
    """
    ja = language.startswith("ja")
    if condition is None:
        return "常に該当" if ja else "always"
    for key, word_ja, word_en in (("all", " かつ ", " AND "), ("any", " または ", " OR ")):
        if key in condition:
            joined = (word_ja if ja else word_en).join(
                describe(c, language) for c in condition[key]
            )
            return f"({joined})" if len(condition[key]) > 1 else joined
    if "not" in condition:
        inner = describe(condition["not"], language)
        return f"（{inner}）ではない" if ja else f"NOT {inner}"
    text_ja, text_en = _leaf_text(condition, True)
    return text_ja if ja else text_en


#: The profile fact that makes each actor relevant, when a provision gives no explicit condition.
ACTOR_CONDITIONS: dict[str, dict[str, Any] | None] = {
    Actor.AI_DEVELOPER: {"fact": "roles", "includes": "ai_developer"},
    Actor.AI_PROVIDER: {"fact": "roles", "includes": "ai_provider"},
    Actor.AI_BUSINESS_USER: {"fact": "roles", "includes": "ai_business_user"},
    Actor.RND_INSTITUTION: {"fact": "roles", "includes": "rnd_institution"},
    Actor.PERSONAL_INFO_HANDLER: {"fact": "handles_personal_info", "is": True},
    Actor.FOUNDATION_MODEL_DEVELOPER: {"fact": "develops_foundation_models", "is": True},
    Actor.GOVERNMENT: None,
}


def provision_applicability(
    *,
    actors: list[str],
    applies_when: dict[str, Any] | None,
    strength: str,
    profile: dict[str, Any],
) -> Evaluation:
    """Whether a provision applies to an organisation, and why.

    A government duty never applies: it binds the state and is shown for context.
    An explicit ``applies_when`` decides alone (it may be narrower or wider than
    the actors, e.g. APPI Art. 31 reaches anyone who passes on cookie IDs). Without
    one, the provision applies when the organisation is any of its actors.
    """
    if strength == "government_duty":
        return Evaluation(
            False,
            ["国等の責務であり、事業者は対象外"],
            ["it is a duty of the government, not of businesses"],
        )
    if applies_when:
        return evaluate(applies_when, profile)
    conditions = [c for c in (ACTOR_CONDITIONS.get(a) for a in actors) if c is not None]
    if not conditions:
        return Evaluation(False, ["事業者向けの規定ではない"], ["it does not address businesses"])
    return evaluate({"any": conditions}, profile)
