import pytest

from frameworks.choices import Enforcement, Strength
from frameworks.severity import provision_severity


@pytest.mark.parametrize(
    ("strength", "enforcement", "expected"),
    [
        (Strength.BINDING, Enforcement.REGULATOR_ORDER, "high"),
        (Strength.BINDING, Enforcement.DIRECT_PENALTY, "high"),
        (Strength.BINDING, "", "high"),
        (Strength.BINDING, Enforcement.NONE, "medium"),
        (Strength.BINDING_NO_SANCTION, "", "medium"),
        (Strength.EFFORT_DUTY, "", "medium"),
        (Strength.VOLUNTARY, "", "low"),
        (Strength.REPORTED, "", "watch"),
        (Strength.GOVERNMENT_DUTY, "", None),
    ],
)
def test_severity_follows_strength_and_enforcement(strength, enforcement, expected):
    assert provision_severity(strength=strength, enforcement=enforcement) == expected
