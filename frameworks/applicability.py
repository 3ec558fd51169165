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

import json
from dataclasses import dataclass, field
from typing import Any

from frameworks.choices import Actor

ROLE_ACTORS = (Actor.AI_DEVELOPER, Actor.AI_PROVIDER, Actor.AI_BUSINESS_USER, Actor.RND_INSTITUTION)


@dataclass(frozen=True)
class Fact:
    """One answer in the scoping profile, with how to say it in either language."""

    name: str
    kind: str  # "bool", "roles", "number" or "choice"
    label_ja: str
    label_en: str
    true_ja: str = ""
    true_en: str = ""
    false_ja: str = ""
    false_en: str = ""
    #: Where the scoping form asks it: ``"personal"`` (personal information) or ``"ai"``.
    group: str = "personal"
    #: Help shown under the question in the scoping form, in both languages.
    help_ja: str = ""
    help_en: str = ""
    #: For a ``"choice"`` fact: ``(value, label_ja, label_en)``; the first value is the default.
    choices: tuple[tuple[str, str, str], ...] = ()


FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in [
        Fact("roles", "roles", "AIに関する役割", "AI roles", group="roles"),
        Fact(
            "handles_personal_info",
            "bool",
            "個人情報を取り扱う（個人情報取扱事業者に当たる）",
            "Handles personal information (a personal information handling business operator)",
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
            "Provides personal data to third parties in a foreign country",
            "個人データを外国にある第三者に提供している",
            "you provide personal data to a third party in a foreign country",
            "個人データを外国にある第三者に提供していない",
            "you do not provide personal data to third parties in a foreign country",
            help_ja="外国の事業者への委託も、第28条では外国にある第三者への提供に当たります。",
            help_en="Under Art. 28, entrusting data to a business in a foreign country also counts"
            " as providing it to a third party in a foreign country.",
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
            "handles_personal_data_abroad",
            "bool",
            "外国で個人データを取り扱う（海外拠点、外国の委託先、外国のクラウドやAIサービスを含む）",
            "Handles personal data in a foreign country (a foreign branch, a foreign service"
            " provider, a foreign cloud or AI service)",
            "外国で個人データを取り扱っている",
            "you handle personal data in a foreign country",
            "外国で個人データを取り扱っていない",
            "you do not handle personal data in a foreign country",
            help_ja="データを取り扱わない外国のクラウドにデータを保存するだけの場合も含みます。",
            help_en="This includes merely storing data on a foreign cloud that does not itself"
            " handle the data.",
        ),
        Fact(
            "foreign_vendor_handles_personal_data",
            "bool",
            "外国の事業者（クラウドやAIサービスの事業者を含む）が当社の個人データを取り扱う",
            "A business in a foreign country (cloud or AI vendors included) handles your"
            " personal data",
            "外国の事業者が個人データを取り扱っている",
            "a business in a foreign country handles your personal data",
            "外国の事業者は個人データを取り扱っていない",
            "no business in a foreign country handles your personal data",
            help_ja="契約で事業者がデータを取り扱わないと定められ、アクセス制御もされている"
            "クラウドに保存するだけの場合は含みません。",
            help_en="Leave this out where you only store data on a cloud whose contract says the"
            " vendor does not handle it and access is controlled accordingly.",
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
            "genai_vendor_use",
            "choice",
            "入力した個人データを生成AIサービスの事業者はどう使いますか",
            "How does the generative-AI vendor use the personal data you put in?",
            choices=(
                (
                    "unknown",
                    "まだ分からない（委託と第三者提供の両方として扱います）",
                    "Not known yet (treated as both entrustment and provision)",
                ),
                (
                    "on_our_behalf",
                    "当社のためだけに取り扱う（学習等の自社目的には使わない）",
                    "Only on our behalf (not for its own purposes such as training)",
                ),
                (
                    "own_purposes",
                    "学習など事業者自身の目的にも使う",
                    "Also for its own purposes, such as training its models",
                ),
            ),
            help_ja="外部の生成AIサービスに個人データを入力する場合だけ答えてください。",
            help_en="Answer only if you put personal data into external generative-AI services.",
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
            group="ai",
        ),
        Fact(
            "foundation_model_parameters",
            "number",
            "最大の基盤モデルのパラメータ数",
            "Parameter count of the largest foundation model",
            group="ai",
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
            group="ai",
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
            group="ai",
        ),
        Fact(
            "develops_physical_ai",
            "bool",
            "ロボットや機械など物理的に動作するAI（フィジカルAI）を開発・提供・利用する",
            "Develops, provides or uses AI that moves or controls physical equipment (physical AI)",
            "フィジカルAIを開発・提供・利用している",
            "you develop, provide or use physical AI",
            "フィジカルAIを扱っていない",
            "you do not work with physical AI",
            group="ai",
        ),
    ]
}


@dataclass(frozen=True)
class Implication:
    """One fact that follows from another under the law, declared once.

    Example: providing personal data to a third party in a foreign country *is* providing it to
    a third party, so ``transfers_abroad`` implies ``provides_to_third_parties`` and Art. 27 and
    the Art. 29 records apply. ``when`` is a condition on the answered facts; ``reason_*`` is
    printed after the answered fact in the "why" text::

        外部の生成AIサービスに個人データを入力している（委託または第三者提供に当たる）
    """

    when: dict[str, Any]
    implies: str
    reason_ja: str
    reason_en: str


_GENAI = {"fact": "uses_external_genai_with_personal_data", "is": True}

#: Every implication between scoping facts. Evaluation applies them until nothing changes, so
#: chains work (a foreign vendor → a transfer abroad → a provision → personal information).
IMPLICATIONS: tuple[Implication, ...] = (
    # PPC caution of 2023-06-02: input into an external generative-AI service is either
    # entrustment (Art. 25 supervision) or provision to a third party (Art. 27). Until the
    # follow-up says which, both apply.
    Implication(
        {"all": [_GENAI, {"fact": "genai_vendor_use", "is": "unknown"}]},
        "outsources_personal_data",
        "委託または第三者提供に当たる",
        "this is entrustment or a provision to a third party",
    ),
    Implication(
        {"all": [_GENAI, {"fact": "genai_vendor_use", "is": "unknown"}]},
        "provides_to_third_parties",
        "委託または第三者提供に当たる",
        "this is entrustment or a provision to a third party",
    ),
    Implication(
        {"all": [_GENAI, {"fact": "genai_vendor_use", "is": "on_our_behalf"}]},
        "outsources_personal_data",
        "事業者は当社のためだけに取り扱うので委託に当たる",
        "the vendor handles it only on your behalf, so this is entrustment",
    ),
    Implication(
        {"all": [_GENAI, {"fact": "genai_vendor_use", "is": "own_purposes"}]},
        "provides_to_third_parties",
        "事業者が自らの目的にも使うので第三者提供に当たる",
        "the vendor also uses it for its own purposes, so this is a provision to a third party",
    ),
    # Art. 28(1): a business in a foreign country that handles the data is a third party in a
    # foreign country, even as a trustee (the closing sentence switches Art. 27(5) off).
    Implication(
        {"fact": "foreign_vendor_handles_personal_data", "is": True},
        "transfers_abroad",
        "第28条第1項では外国の事業者への委託も外国にある第三者への提供に当たる",
        "under Art. 28(1), entrusting data to a foreign business is a provision to a third"
        " party in a foreign country",
    ),
    # PPC Guidelines (general rules) 10-7: data handled by a foreign business is handled abroad.
    Implication(
        {"fact": "foreign_vendor_handles_personal_data", "is": True},
        "handles_personal_data_abroad",
        "外国で個人データを取り扱うことに当たる",
        "your data is handled in a foreign country",
    ),
    # A provision abroad is still a provision: Art. 27 applies and Art. 29(1) proviso keeps the
    # records for Art. 28 transfers even to a trustee.
    Implication(
        {"fact": "transfers_abroad", "is": True},
        "provides_to_third_parties",
        "外国にある第三者への提供も第三者提供である",
        "a provision to a third party abroad is a provision to a third party",
    ),
    # Every personal-data activity presupposes handling personal information.
    *(
        Implication(
            {"fact": source, "is": True},
            "handles_personal_info",
            "個人情報を取り扱っていることになる",
            "so you handle personal information",
        )
        for source in (
            "handles_special_care_info",
            "provides_to_third_parties",
            "transfers_abroad",
            "outsources_personal_data",
            "handles_personal_data_abroad",
            "foreign_vendor_handles_personal_data",
            "uses_pseudonymised_info",
            "uses_external_genai_with_personal_data",
        )
    ),
)


@dataclass
class DerivedProfile:
    """A profile with every implied fact added, and for each implied fact the chain that made it.

    ``chains["provides_to_third_parties"]`` is ``[("外国にある第三者に…", "…")]``: the words to
    print instead of the fact's own "true" text, naming where it came from.
    """

    facts: dict[str, Any]
    chains: dict[str, tuple[str, str]]


def derive_profile(profile: dict[str, Any]) -> DerivedProfile:
    """Apply :data:`IMPLICATIONS` until nothing changes.

    >>> derive_profile({"transfers_abroad": True}).facts["provides_to_third_parties"]
    True
    """
    facts = dict(profile)
    facts.setdefault("genai_vendor_use", FACTS["genai_vendor_use"].choices[0][0])
    chains: dict[str, tuple[str, str]] = {}

    def fire(rule: Implication) -> None:
        facts[rule.implies] = True
        cause = _evaluate(rule.when, facts, chains)
        chains[rule.implies] = (
            "、".join(cause.reasons_ja) + f"（{rule.reason_ja}）",
            ", ".join(cause.reasons_en) + f" ({rule.reason_en})",
        )

    # First what follows straight from an answer, so the shortest chain is the one named.
    answered = dict(facts)
    for rule in IMPLICATIONS:
        if not facts.get(rule.implies) and _evaluate(rule.when, answered, {}).applies:
            fire(rule)
    changed = True
    while changed:
        changed = False
        for rule in IMPLICATIONS:
            if not facts.get(rule.implies) and _evaluate(rule.when, facts, chains).applies:
                fire(rule)
                changed = True
    return DerivedProfile(facts, chains)


ROLE_LABELS = {actor.value: actor.label for actor in ROLE_ACTORS}


@dataclass
class Evaluation:
    """The outcome of a condition, with the profile facts that decided it."""

    applies: bool
    reasons_ja: list[str] = field(default_factory=list)
    reasons_en: list[str] = field(default_factory=list)


_ROLE_TEXT = {
    "ai_developer": (
        "AI開発者である",
        "you are an AI developer",
        "AI開発者ではない",
        "you are not an AI developer",
    ),
    "ai_provider": (
        "AI提供者である",
        "you are an AI provider",
        "AI提供者ではない",
        "you are not an AI provider",
    ),
    "ai_business_user": (
        "AI利用者である",
        "you are an AI business user",
        "AI利用者ではない",
        "you are not an AI business user",
    ),
    "rnd_institution": (
        "研究開発機関である",
        "you are an R&D institution",
        "研究開発機関ではない",
        "you are not an R&D institution",
    ),
}


def _leaf_text(
    condition: dict[str, Any], holds: bool, chains: dict[str, tuple[str, str]] | None = None
) -> tuple[str, str]:
    fact = FACTS[condition["fact"]]
    if "includes" in condition:
        code = condition["includes"]
        ja, en, not_ja, not_en = _ROLE_TEXT.get(code, (code, code, code, code))
        return (ja, en) if holds else (not_ja, not_en)
    if fact.kind == "choice":
        # The follow-up answer itself is not a reason; the implication's reason says it.
        return "", ""
    if "is" in condition:
        truthy = condition["is"] == holds
        if truthy and chains and condition["fact"] in chains:
            return chains[condition["fact"]]
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

    The profile's implied facts are added first (:func:`derive_profile`), so a condition on
    ``provides_to_third_parties`` holds for an organisation that only ticked "transfers abroad",
    and the reason names the chain. Missing facts count as false (or empty, or zero), so an
    incomplete profile never makes a duty appear to apply by accident or vanish silently: the
    reasons show which fact decided.
    """
    derived = derive_profile(profile)
    return _evaluate(condition, derived.facts, derived.chains)


def _evaluate(
    condition: dict[str, Any] | None, profile: dict[str, Any], chains: dict[str, tuple[str, str]]
) -> Evaluation:
    if condition is None:
        return Evaluation(True)
    if "all" in condition:
        parts = [_evaluate(c, profile, chains) for c in condition["all"]]
        if all(p.applies for p in parts):
            return _merge(True, parts)
        return _merge(False, [p for p in parts if not p.applies][:1])
    if "any" in condition:
        parts = [_evaluate(c, profile, chains) for c in condition["any"]]
        hits = [p for p in parts if p.applies]
        return _merge(True, hits) if hits else _merge(False, parts)
    if "not" in condition:
        inner = _evaluate(condition["not"], profile, chains)
        return Evaluation(not inner.applies, inner.reasons_ja, inner.reasons_en)
    value = profile.get(condition["fact"])
    fact = FACTS[condition["fact"]]
    if "includes" in condition:
        holds = condition["includes"] in (value or [])
    elif fact.kind == "choice":
        holds = (value or fact.choices[0][0]) == condition["is"]
    elif "is" in condition:
        holds = bool(value) == condition["is"]
    elif "gte" in condition:
        holds = (value or 0) >= condition["gte"]
    else:
        holds = (value or 0) < condition["lt"]
    ja, en = _leaf_text(condition, holds, chains)
    if not ja:
        return Evaluation(holds)
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


# --- Applicability memo (issue 12, speed) ----------------------------------------------------


def profile_key(profile: dict[str, Any] | None) -> str:
    """The canonical form of a scoping profile: two profiles with the same facts give the same
    key, whatever the order of their keys. The questionnaire remembers each published provision's
    applicability under this key (``assessments.selectors.questionnaire._applicability``).

    Example: ``profile_key({"roles": ["ai_provider"], "handles_personal_info": True})`` is
    ``'{"handles_personal_info":true,"roles":["ai_provider"]}'``.
    """
    return json.dumps(
        profile or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
