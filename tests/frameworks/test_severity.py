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


# --- Issue 10: severity of the newest catalog's provisions ---


def test_art_17_is_medium_art_23_high_and_the_effort_to_use_ai_is_never_a_gap():
    """APPI Art. 17 is outside Art. 148 (binding_no_sanction, enforcement none): medium. Art. 23
    is reachable by a PPC order: high. AI Promotion Act Art. 7's effort to use AI is hortatory: it
    carries no question, so it can never be scored or listed as a gap; the cooperation part of the
    same sentence (binding wording, no sanction) is medium."""
    from pathlib import Path

    from django.conf import settings

    from frameworks.document import iter_provisions
    from frameworks.files import parse_framework_file

    catalog = Path(settings.FRAMEWORK_CATALOG_DIR)
    appi = {
        p.urn.rsplit(":", 1)[-1]: p
        for _w, p in iter_provisions(parse_framework_file(catalog / "appi-20260717.yaml"))
    }

    def severity(p):
        return provision_severity(strength=p.strength, enforcement=p.enforcement.kind)

    assert severity(appi["art-17"]) == "medium"
    assert severity(appi["art-23"]) == "high"
    act = {
        p.urn.rsplit(":", 1)[-1]: p
        for _w, p in iter_provisions(
            parse_framework_file(catalog / "ai-promotion-act-20250901r2.yaml")
        )
    }
    assert act["art-7-utilisation"].questions == []
    assert severity(act["art-7-cooperation"]) == "medium"
