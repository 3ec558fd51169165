from django import template
from django.utils.translation import gettext_lazy as _

from frameworks.choices import LegalStatus, Strength

register = template.Library()

STATUS = {
    "compliant": _("Compliant"),
    "partial": _("Partly compliant"),
    "gap": _("Gap"),
    "unanswered": _("Not answered"),
    "not_applicable": _("Not applicable"),
}
SEVERITY = {"high": _("High"), "medium": _("Medium"), "low": _("Low"), "watch": _("Watch")}


@register.filter
def status_label(code: str) -> str:
    return STATUS.get(code, code)


@register.filter
def severity_label(code: str) -> str:
    return SEVERITY.get(code, code)


@register.filter
def strength_label(code: str) -> str:
    return dict(Strength.choices).get(code, code)


@register.filter
def legal_status_label(code: str) -> str:
    return dict(LegalStatus.choices).get(code, code)


@register.filter
def percent(score) -> str:
    return "—" if score is None else f"{score * 100:.0f}%"
