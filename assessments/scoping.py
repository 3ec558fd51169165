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
#: The follow-up to generative-AI input; its values are declared on the fact in FACTS.
GenaiVendorUse = Literal["unknown", "on_our_behalf", "own_purposes"]


class ScopingProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[RoleCode] = Field(default_factory=list)
    handles_personal_info: bool = False
    handles_special_care_info: bool = False
    provides_to_third_parties: bool = False
    transfers_abroad: bool = False
    outsources_personal_data: bool = False
    handles_personal_data_abroad: bool = False
    foreign_vendor_handles_personal_data: bool = False
    handles_personally_referable_info: bool = False
    uses_pseudonymised_info: bool = False
    uses_anonymised_info: bool = False
    uses_external_genai_with_personal_data: bool = False
    genai_vendor_use: GenaiVendorUse = "unknown"
    develops_foundation_models: bool = False
    foundation_model_parameters: int | None = Field(default=None, ge=0, le=10**15)
    frontier_capabilities: bool = False
    provides_ai_agents: bool = False
    develops_physical_ai: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ScopingProfile:
        self.roles = sorted(set(self.roles))
        if not self.develops_foundation_models:
            self.foundation_model_parameters = None
            self.frontier_capabilities = False
        if not self.uses_external_genai_with_personal_data:
            self.genai_vendor_use = "unknown"
        return self


# Every fact the catalog can test must be answerable here, with the same choice values.
assert set(ScopingProfile.model_fields) == set(FACTS), set(FACTS) ^ set(ScopingProfile.model_fields)
assert set(GenaiVendorUse.__args__) == {c[0] for c in FACTS["genai_vendor_use"].choices}

#: Facts that only make sense when the organisation handles personal information.
PERSONAL_DATA_FACTS = [
    name
    for name, fact in FACTS.items()
    if fact.group == "personal" and name not in ("handles_personal_info",)
]
