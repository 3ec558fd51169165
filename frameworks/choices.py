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
    REPORTED_UNVERIFIED = "reported_unverified", _("Reported, unverified")


class Strength(models.TextChoices):
    """How strongly one provision binds the organisation."""

    BINDING = "binding", _("Binding (with sanction)")
    BINDING_NO_SANCTION = "binding_no_sanction", _("Binding, no sanction")
    EFFORT_DUTY = "effort_duty", _("Effort duty")
    GOVERNMENT_DUTY = "government_duty", _("Government duty")
    VOLUNTARY = "voluntary", _("Voluntary")
    REPORTED = "reported", _("Reported claim (not law)")


class Confidence(models.TextChoices):
    VERIFIED_PRIMARY = "verified_primary", _("Verified against the primary source")
    VERIFIED_SECONDARY = "verified_secondary", _("Verified through secondary sources")
    UNVERIFIED = "unverified", _("Unverified")


class Actor(models.TextChoices):
    """Who a provision addresses. The first three are METI/MIC's actor roles."""

    AI_DEVELOPER = "ai_developer", _("AI developer")
    AI_PROVIDER = "ai_provider", _("AI provider")
    AI_BUSINESS_USER = "ai_business_user", _("AI business user")
    RND_INSTITUTION = "rnd_institution", _("R&D institution")
    PERSONAL_INFO_HANDLER = "personal_info_handler", _("Personal information handler")
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
