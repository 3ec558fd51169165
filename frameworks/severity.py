"""How serious a gap in a provision is: the one home of that rule.

Severity follows from how strongly the provision binds (its strength) and how a breach is
enforced (its enforcement), never from where it is shown. Example: APPI Art. 23 (binding,
enforced by PPC recommendation and order) is ``high``; a voluntary guideline item is ``low``;
a reported claim is ``watch`` and is never scored.
"""

from __future__ import annotations

from frameworks.choices import Enforcement, Strength

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "watch": 3}


def provision_severity(*, strength: str, enforcement: str = "") -> str | None:
    """``high``, ``medium``, ``low`` or ``watch``; None for government duties (never assessed).

    A binding duty is ``high`` unless the statute provides no enforcement for it at all
    (``enforcement == "none"``), which makes it ``medium``: APPI Art. 17 is coded
    ``binding_no_sanction`` with enforcement ``none`` (Art. 148 does not reach it) and is ``medium``.

    A merely hortatory statutory wish, such as AI Promotion Act Art. 7's call to endeavour to use
    AI actively, is not a gap at any severity: the catalog gives it no questions (it is shown
    with a note), because nothing in it protects anyone or can be remedied.
    """
    if strength == Strength.BINDING:
        return "medium" if enforcement == Enforcement.NONE else "high"
    if strength in (Strength.BINDING_NO_SANCTION, Strength.EFFORT_DUTY):
        return "medium"
    if strength == Strength.VOLUNTARY:
        return "low"
    if strength == Strength.REPORTED:
        return "watch"
    return None
