"""Scoping follows the APPI's own logic: realistic company profiles, each with the provisions the
statute and the factsheet say apply (not what the code happened to say), and every implication.

Expected sets are written out by hand from the law:
- Art. 25 applies to entrustment (委託); Art. 27 and the Art. 29 records to provision to a third
  party, which includes provision abroad (Art. 28(1); Art. 29(1) proviso; factsheet APPI-29-P).
- Input into an external generative-AI service is entrustment or provision (PPC caution of
  2023-06-02): both apply until the follow-up says which.
- A foreign business that handles the data is a third party in a foreign country (Art. 28(1),
  factsheet APPI-28-27); a foreign cloud that does not handle it is not (PPC Q&A Q7-53, Q12-3), but
  the 通則編 10-7 understanding of the foreign system applies to both (Q10-24).
- Art. 31 binds a provider of personally referable information even without personal information;
  Arts 43-46 bind creators and recipients of anonymised information.
"""

from pathlib import Path

import pytest
from django.conf import settings

from assessments.scoping import ScopingProfile
from frameworks.applicability import FACTS, IMPLICATIONS, derive_profile, evaluate
from frameworks.applicability import provision_applicability as applicability
from frameworks.document import iter_provisions
from frameworks.files import parse_framework_file

CATALOG = Path(settings.FRAMEWORK_CATALOG_DIR)
TRACKED = {  # file → prefix and the provisions followed outside the APPI
    "meti-ai-guidelines-1.2r2.yaml": ("meti", {"agent-1", "agent-5", "hcoc-1"}),
    "foundation-model-tiers-reported-2026.2.yaml": ("tiers", {"c1-pretest-over-10b"}),
}

BASE = {  # every personal information handling business operator
    "art-17", "art-18", "art-19", "art-20-1", "art-21", "art-22", "art-23", "art-24", "art-26",
    "art-30", "art-32", "art-33", "art-34", "art-35", "art-40", "enforcement",
}  # fmt: skip
FOREIGN = "art-23-32-foreign"
GENAI = "ppc-genai-alert-2023"

# (name, profile, provisions that apply)
PROFILES = [
    (
        "EC retailer: delivery outsourced, ad cookies, customer data into a chat AI (vendor use unknown)",
        dict(
            roles=["ai_business_user"],
            handles_personal_info=True,
            outsources_personal_data=True,
            handles_personally_referable_info=True,
            uses_external_genai_with_personal_data=True,
        ),
        BASE | {"art-25", "art-27", "art-29", "art-31", GENAI},
    ),
    (
        "Insurance agency on an enterprise AI plan that uses input only on its behalf (domestic)",
        dict(
            roles=["ai_business_user"],
            handles_personal_info=True,
            uses_external_genai_with_personal_data=True,
            genai_vendor_use="on_our_behalf",
        ),
        BASE | {"art-25", GENAI},
    ),
    (
        "Marketing agency using a free AI tool that trains on inputs",
        dict(
            roles=["ai_business_user"],
            handles_personal_info=True,
            uses_external_genai_with_personal_data=True,
            genai_vendor_use="own_purposes",
        ),
        BASE | {"art-27", "art-29", GENAI},
    ),
    (
        "Hospital using a domestic diagnostic-support AI vendor as processor",
        dict(
            roles=["ai_business_user"],
            handles_personal_info=True,
            handles_special_care_info=True,
            outsources_personal_data=True,
        ),
        BASE | {"art-20-2", "art-25"},
    ),
    (
        "Bank sharing customer data with its US parent for the parent's own purposes",
        dict(
            roles=["ai_business_user"],
            handles_personal_info=True,
            transfers_abroad=True,
            outsources_personal_data=True,
        ),
        BASE | {"art-25", "art-27", "art-28", "art-29"},
    ),
    (
        "HR SaaS provider calling a US LLM API that handles the data",
        dict(
            roles=["ai_provider"],
            handles_personal_info=True,
            outsources_personal_data=True,
            foreign_vendor_handles_personal_data=True,
        ),
        BASE | {"art-25", "art-27", "art-28", "art-29", FOREIGN},
    ),
    (
        "Manufacturer keeping staff data on a foreign cloud that does not handle it (Q7-53)",
        dict(
            roles=["ai_business_user"],
            handles_personal_info=True,
            handles_personal_data_abroad=True,
        ),
        BASE | {FOREIGN},
    ),
    (
        "Game company whose Singapore branch handles player data",
        dict(
            roles=["ai_developer", "ai_provider"],
            handles_personal_info=True,
            handles_personal_data_abroad=True,
        ),
        BASE | {FOREIGN},
    ),
    (
        "Ad-tech firm passing cookie IDs to partners, holding no personal information",
        dict(roles=["ai_provider"], handles_personally_referable_info=True),
        {"art-31"},
    ),
    (
        "Model developer, 70 billion parameters, no personal data",
        dict(
            roles=["ai_developer"],
            develops_foundation_models=True,
            foundation_model_parameters=70_000_000_000,
        ),
        {"tiers:c1-pretest-over-10b", "meti:hcoc-1"},
    ),
    (
        "Frontier lab, 200 billion parameters, web data with personal information, agents",
        dict(
            roles=["ai_developer", "ai_provider"],
            handles_personal_info=True,
            develops_foundation_models=True,
            foundation_model_parameters=200_000_000_000,
            frontier_capabilities=True,
            provides_ai_agents=True,
        ),
        BASE | {"tiers:c1-pretest-over-10b", "meti:hcoc-1", "meti:agent-1"},
    ),
    (
        "Robot maker selling warehouse robots (physical AI), no personal data",
        dict(roles=["ai_developer", "ai_provider"], develops_physical_ai=True),
        {"meti:agent-1", "meti:agent-5"},
    ),
    (
        "University lab with pseudonymised medical records",
        dict(
            roles=["rnd_institution"],
            handles_personal_info=True,
            handles_special_care_info=True,
            uses_pseudonymised_info=True,
        ),
        BASE | {"art-20-2", "art-41-42"},
    ),
    (
        "Data company selling anonymised purchase data and providing personal data to partners",
        dict(
            roles=["ai_provider"],
            handles_personal_info=True,
            provides_to_third_parties=True,
            uses_anonymised_info=True,
        ),
        BASE | {"art-27", "art-29", "art-43-45", "art-46"},
    ),
    (
        "AI startup that only receives anonymised information",
        dict(roles=["ai_developer"], uses_anonymised_info=True),
        {"art-43-45", "art-46"},
    ),
    (
        "Call-centre BPO using a foreign AI vendor that trains on inputs",
        dict(
            roles=["ai_business_user"],
            uses_external_genai_with_personal_data=True,
            genai_vendor_use="own_purposes",
            foreign_vendor_handles_personal_data=True,
        ),
        BASE | {"art-27", "art-28", "art-29", FOREIGN, GENAI},
    ),
    (
        "Clinic that ticked only special-care data and chat-AI input (implied handler)",
        dict(
            roles=["ai_business_user"],
            handles_special_care_info=True,
            uses_external_genai_with_personal_data=True,
        ),
        BASE | {"art-20-2", "art-25", "art-27", "art-29", GENAI},
    ),
    (
        "Consultancy using AI internally with no personal data",
        dict(roles=["ai_business_user"]),
        set(),
    ),
]


@pytest.fixture(scope="module")
def provisions():
    found = []
    appi = parse_framework_file(CATALOG / "appi-20260717.yaml")
    found += [(p.urn.rsplit(":", 1)[-1], p) for _w, p in iter_provisions(appi)]
    for name, (prefix, keys) in TRACKED.items():
        document = parse_framework_file(CATALOG / name)
        for _w, p in iter_provisions(document):
            key = p.urn.rsplit(":", 1)[-1]
            if key in keys:
                found.append((f"{prefix}:{key}", p))
    return found


def _applying(provisions, profile: dict) -> set[str]:
    data = ScopingProfile.model_validate(profile).model_dump()
    return {
        key
        for key, p in provisions
        if applicability(
            actors=p.actors,
            applies_when=p.applies_when.as_data() if p.applies_when else None,
            strength=p.strength,
            profile=data,
        ).applies
    }


@pytest.mark.parametrize(
    ("profile", "expected"), [(p, e) for _n, p, e in PROFILES], ids=[n for n, _p, _e in PROFILES]
)
def test_realistic_profiles_get_the_provisions_the_statute_applies(provisions, profile, expected):
    assert _applying(provisions, profile) == expected


def test_the_profiles_cover_every_fact_role_and_follow_up_answer():
    used = {k for _n, p, _e in PROFILES for k, v in p.items() if v}
    assert set(FACTS) <= used
    roles = {r for _n, p, _e in PROFILES for r in p.get("roles", [])}
    assert roles == {"ai_developer", "ai_provider", "ai_business_user", "rnd_institution"}
    answers = {
        p.get("genai_vendor_use", "unknown")
        for _n, p, _e in PROFILES
        if p.get("uses_external_genai_with_personal_data")
    }
    assert answers == {"unknown", "on_our_behalf", "own_purposes"}


def test_every_implication_fires_from_its_own_fact_alone():
    for rule in IMPLICATIONS:
        profile = {}
        for leaf in rule.when.get("all", [rule.when]):
            profile[leaf["fact"]] = leaf["is"]
        derived = derive_profile(profile)
        assert derived.facts.get(rule.implies) is True, rule
        assert derived.chains[rule.implies][0], rule


def test_generative_ai_input_is_named_as_entrustment_or_provision_in_the_why_text():
    result = evaluate(
        {
            "all": [
                {"fact": "handles_personal_info", "is": True},
                {"fact": "outsources_personal_data", "is": True},
            ]
        },
        {"uses_external_genai_with_personal_data": True},
    )
    assert result.applies
    assert (
        "外部の生成AIサービスに個人データを入力している（委託または第三者提供に当たる）"
        in result.reasons_ja
    )
    assert "「個人データの取扱いを委託していない」" not in "".join(result.reasons_ja)


def test_a_transfer_abroad_is_a_provision_to_a_third_party_on_the_same_page():
    result = evaluate({"fact": "provides_to_third_parties", "is": True}, {"transfers_abroad": True})
    assert result.applies
    assert result.reasons_en == [
        "you provide personal data to a third party in a foreign country"
        " (a provision to a third party abroad is a provision to a third party)"
    ]


def test_the_follow_up_is_reset_when_no_personal_data_goes_into_generative_ai():
    profile = ScopingProfile(genai_vendor_use="own_purposes")
    assert profile.genai_vendor_use == "unknown"
    assert not derive_profile(profile.model_dump()).facts.get("provides_to_third_parties")


def test_negative_role_reasons_read_naturally():
    result = evaluate({"fact": "roles", "includes": "ai_developer"}, {"roles": []})
    assert (result.reasons_ja, result.reasons_en) == (
        ["AI開発者ではない"],
        ["you are not an AI developer"],
    )


# --- The scoping form is built from the fact catalogue (one source for form, profile and FACTS) ---


@pytest.mark.django_db
def test_scoping_page_asks_every_fact_and_saves_the_generative_ai_follow_up(
    client, assessment, officer
):
    from django.urls import reverse

    client.force_login(officer)
    url = reverse("assessments:scoping", args=[assessment.pk])
    page = client.get(url).content.decode()
    for name in FACTS:
        if name != "roles":
            assert f'name="{name}"' in page, name
    response = client.post(
        url,
        {
            "roles": ["ai_business_user"],
            "uses_external_genai_with_personal_data": "on",
            "genai_vendor_use": "own_purposes",
            "develops_physical_ai": "on",
            "revision": assessment.revision,
        },
    )
    assert response.status_code in (200, 302)
    assessment.refresh_from_db()
    assert assessment.scoping["genai_vendor_use"] == "own_purposes"
    assert assessment.scoping["develops_physical_ai"] is True


@pytest.mark.django_db
def test_the_appi_assessment_page_shows_the_act_no_56_note_enforcement_and_japanese_citations(
    client, officer, organisation
):
    from django.core.management import call_command
    from django.urls import reverse

    from assessments.services import assessment_create
    from frameworks.models import FrameworkVersion

    call_command("load_frameworks", str(CATALOG / "appi-20260717.yaml"), verbosity=0)
    version = FrameworkVersion.objects.get(version="20260717")
    assessment = assessment_create(
        actor=officer,
        organisation=organisation,
        name="APPI review",
        versions=[version],
        scoping=ScopingProfile(
            roles=["ai_business_user"], uses_external_genai_with_personal_data=True
        ),
    )
    client.force_login(officer)
    detail = client.get(
        reverse("assessments:detail", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert "令和八年法律第五十六号" in detail.content.decode()
    section = version.sections.get(key="security")
    page = client.get(
        reverse("assessments:section", args=[assessment.pk, section.pk]),
        HTTP_ACCEPT_LANGUAGE="ja",
    ).content.decode()
    assert "第25条" in page  # Art. 25 applies to generative-AI input, cited the Japanese way
    assert "規制当局による勧告・命令（命令違反に罰則）（第148条、第178条、第184条）" in page
    assert "外部の生成AIサービスに個人データを入力している（委託または第三者提供に当たる）" in page
