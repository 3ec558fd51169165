"""Enumerations of the framework registry, shared by models, the file schema and the UI."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class LegalStatus(models.TextChoices):
    """What kind of instrument a framework version is: decides how much weight it carries."""

    STATUTE = "statute", _("Statute")
    CABINET_DECISION = "cabinet_decision", _("Cabinet decision")
    GOVERNMENT_GUIDELINE = "government_guideline", _("Government guideline")
    VOLUNTARY_GUIDE = "voluntary_guide", _("Voluntary guide")
    #: A decision of the AI Strategy Headquarters (e.g. the AI Guideline under AI Promotion Act Art. 13).
    HQ_DECISION = "hq_decision", _("AI Strategy Headquarters decision")
    REPORTED_UNVERIFIED = "reported_unverified", _("Reported, unverified")


class FrameworkKind(models.TextChoices):
    """What a framework is, for grouping gaps: law, guidance, or a reported claim."""

    STATUTE = "statute", _("Statute")
    GUIDELINE = "guideline", _("Guideline")
    REPORTED = "reported", _("Reported claim")


#: Which kind each legal status is; the one home of that rule.
FRAMEWORK_KIND_OF = {
    LegalStatus.STATUTE: FrameworkKind.STATUTE,
    LegalStatus.CABINET_DECISION: FrameworkKind.GUIDELINE,
    LegalStatus.GOVERNMENT_GUIDELINE: FrameworkKind.GUIDELINE,
    LegalStatus.VOLUNTARY_GUIDE: FrameworkKind.GUIDELINE,
    LegalStatus.HQ_DECISION: FrameworkKind.GUIDELINE,
    LegalStatus.REPORTED_UNVERIFIED: FrameworkKind.REPORTED,
}


def framework_kind(legal_status: str) -> str:
    """``"statute"``, ``"guideline"`` or ``"reported"`` for a version's legal status."""
    return FRAMEWORK_KIND_OF[LegalStatus(legal_status)].value


class Strength(models.TextChoices):
    """How strongly one provision binds the organisation."""

    #: Mandatory and enforceable; *how* it is enforced is the provision's ``enforcement``.
    BINDING = "binding", _("Binding (enforceable)")
    BINDING_NO_SANCTION = "binding_no_sanction", _("Binding, no sanction")
    EFFORT_DUTY = "effort_duty", _("Effort duty")
    GOVERNMENT_DUTY = "government_duty", _("Government duty")
    VOLUNTARY = "voluntary", _("Voluntary")
    REPORTED = "reported", _("Reported claim (not law)")


class Enforcement(models.TextChoices):
    """How breaching a provision is enforced, as the statute itself provides.

    Example: APPI Art. 23 is ``regulator_order`` (PPC recommendation and order under Art. 148; a
    penalty only for breaching an order, Art. 178); APPI Art. 17 is ``none`` (Art. 148 does not
    reach it). The articles that provide it are stored beside the kind.
    """

    NONE = "none", _("No enforcement mechanism")
    REGULATOR_ORDER = (
        "regulator_order",
        _("Regulator's recommendation and order; penalty for breaching an order"),
    )
    DIRECT_PENALTY = "direct_penalty", _("Direct criminal penalty")
    ADMINISTRATIVE_FINE = "administrative_fine", _("Non-criminal administrative fine")


class Confidence(models.TextChoices):
    VERIFIED_PRIMARY = "verified_primary", _("Checked against the primary source")
    VERIFIED_SECONDARY = "verified_secondary", _("Checked through secondary sources")
    UNVERIFIED = "unverified", _("Not verified")


class Actor(models.TextChoices):
    """Who a provision addresses. The first three are METI/MIC's actor roles."""

    AI_DEVELOPER = "ai_developer", _("AI developer")
    AI_PROVIDER = "ai_provider", _("AI provider")
    AI_BUSINESS_USER = "ai_business_user", _("AI business user")
    RND_INSTITUTION = "rnd_institution", _("R&D institution")
    PERSONAL_INFO_HANDLER = (
        "personal_info_handler",
        _("Personal information handling business operator"),
    )
    FOUNDATION_MODEL_DEVELOPER = "foundation_model_developer", _("Foundation-model developer")
    GOVERNMENT = "government", _("National or local government")


class QuestionType(models.TextChoices):
    YES_NO_PARTIAL = "yes_no_partial", _("Yes / partly / no")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")


CHOICE_QUESTION_TYPES = frozenset(
    {QuestionType.YES_NO_PARTIAL, QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}
)
