"""The scoping profile: what an organisation does, which decides the provisions that apply.

Stored on the assessment as JSON; every field is a fact known to
:mod:`frameworks.applicability`. Example::

    {"roles": ["ai_provider", "ai_business_user"], "handles_personal_info": true,
     "transfers_abroad": true, "foundation_model_parameters": null, ...}
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from frameworks.applicability import FACTS

RoleCode = Literal["ai_developer", "ai_provider", "ai_business_user", "rnd_institution"]


class ScopingProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[RoleCode] = Field(default_factory=list)
    handles_personal_info: bool = False
    handles_special_care_info: bool = False
    provides_to_third_parties: bool = False
    transfers_abroad: bool = False
    outsources_personal_data: bool = False
    handles_personally_referable_info: bool = False
    uses_pseudonymised_info: bool = False
    uses_anonymised_info: bool = False
    uses_external_genai_with_personal_data: bool = False
    develops_foundation_models: bool = False
    foundation_model_parameters: int | None = Field(default=None, ge=0, le=10**15)
    frontier_capabilities: bool = False
    provides_ai_agents: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ScopingProfile:
        self.roles = sorted(set(self.roles))
        if not self.develops_foundation_models:
            self.foundation_model_parameters = None
            self.frontier_capabilities = False
        return self


# Every fact the catalog can test must be answerable here.
assert set(ScopingProfile.model_fields) == set(FACTS), set(FACTS) ^ set(ScopingProfile.model_fields)

#: Facts that only make sense when the organisation handles personal information.
PERSONAL_DATA_FACTS = [
    "handles_special_care_info",
    "provides_to_third_parties",
    "transfers_abroad",
    "outsources_personal_data",
    "uses_pseudonymised_info",
    "uses_anonymised_info",
    "uses_external_genai_with_personal_data",
]
