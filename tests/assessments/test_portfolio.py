"""Many questionnaires at once (assessments/selectors/portfolio.py): applicability is evaluated
once per distinct scoping profile (remembered on the shared published rows), and every assessment
keeps its own result."""

from __future__ import annotations

import pytest

from assessments.scoping import ScopingProfile
from assessments.selectors import questionnaire as questionnaire_module
from assessments.selectors import questionnaire_build, questionnaire_build_many
from assessments.services import assessment_create
from frameworks.applicability import profile_key
from frameworks.models import Provision
from tests.conftest import PROVIDER_WITH_PI

BUSINESS_USER_NO_PI = ScopingProfile(roles=["ai_business_user"], handles_personal_info=False)


@pytest.fixture
def spy(monkeypatch):
    """Counts the calls of the applicability evaluation the questionnaire makes."""
    calls = []
    real = questionnaire_module.provision_applicability

    def counting(**kwargs):
        calls.append(kwargs["profile"])
        return real(**kwargs)

    monkeypatch.setattr(questionnaire_module, "provision_applicability", counting)
    return calls


@pytest.fixture
def three(officer, organisation, published_version):
    """Two assessments with the same profile, one with another."""
    return [
        assessment_create(
            actor=officer,
            organisation=organisation,
            name=name,
            versions=[published_version],
            scoping=scoping,
        )
        for name, scoping in (
            ("A", PROVIDER_WITH_PI),
            ("B", PROVIDER_WITH_PI),
            ("C", BUSINESS_USER_NO_PI),
        )
    ]


def _applicability(questionnaire):
    return {
        pb.provision.urn: (pb.applicability.applies, pb.applicability.reasons_en)
        for section in questionnaire.sections.values()
        for pb in section.provisions
    }


def test_applicability_is_evaluated_once_per_distinct_profile_and_version(
    spy, three, published_version
):
    provisions = Provision.objects.filter(version=published_version).count()

    questionnaire_build_many(assessments=three)

    assert len(spy) == 2 * provisions  # two distinct profiles, not three assessments
    assert {profile_key(p) for p in spy} == {
        profile_key(three[0].scoping),
        profile_key(three[2].scoping),
    }


def test_each_assessment_keeps_the_applicability_of_its_own_profile(three):
    many = questionnaire_build_many(assessments=three)

    for assessment in three:
        alone = questionnaire_build(assessment=assessment)
        assert _applicability(many[assessment.pk]) == _applicability(alone)
        assert many[assessment.pk].progress == alone.progress
    # The profiles differ on the personal-information provision: the memo must not mix them.
    assert _applicability(many[three[0].pk]) != _applicability(many[three[2].pk])


def test_the_profile_key_ignores_the_order_of_the_facts():
    assert profile_key({"roles": ["ai_provider"], "handles_personal_info": True}) == profile_key(
        {"handles_personal_info": True, "roles": ["ai_provider"]}
    )
    assert profile_key(None) == profile_key({}) == "{}"
