"""Labels of the report: statuses, severities, kinds, stages, in the active language; and the
report's formats of scores, dates and references. The report's template and the exports use them.

Each label function takes an optional ``language``: the report's template passes the language it
is rendered in (``{{ p.status|status_label(lang) }}``) rather than have every one of a few
thousand calls look up the active language; exports and tests leave it out.
Example: ``status_label("gap", "ja")`` → ``"ギャップ"``.
"""

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from frameworks.choices import Confidence, Enforcement, FrameworkKind, LegalStatus, Strength

STATUS = {
    "compliant": _("Compliant"),
    "partial": _("Partly compliant"),
    "gap": _("Gap"),
    "unanswered": _("Not answered"),
    "applies": _("Applicable, no questions"),
    "not_applicable": _("Not applicable"),
}
SEVERITY = {"high": _("High"), "medium": _("Medium"), "low": _("Low"), "watch": _("Watch")}
#: Headings of the gap groups: what the framework is, never the provision's strength.
KIND_HEADING = {
    "statute": _("Statutes (law)"),
    "guideline": _("Guidelines (not law)"),
    "reported": _("Reported claims (watch only, not law)"),
}
STAGE = {
    "draft": _("Draft"),
    "submitted": _("Submitted for review"),
    "returned": _("Returned with open queries"),
    "approved": _("Approved"),
}


STRENGTH = dict(Strength.choices)
LEGAL_STATUS = dict(LegalStatus.choices)
KIND = dict(FrameworkKind.choices)
ENFORCEMENT = dict(Enforcement.choices)
CONFIDENCE = dict(Confidence.choices)

#: Labels already translated, per (table, code, language). The labels are lazy translations,
#: and a report prints a few thousand of them: resolving each once per language instead of on
#: every use is a tenth of the report's template time.
_RESOLVED: dict[tuple[int, str, str | None], str] = {}


def _label(table: dict, code: str, language: str | None = None) -> str:
    """``code``'s label in ``table`` in ``language`` (default: the active one), or ``code``
    itself if it has none."""
    if code not in table:
        return code
    language = language or get_language()
    key = (id(table), code, language)
    label = _RESOLVED.get(key)
    if label is None:
        with translation.override(language):
            label = _RESOLVED[key] = str(table[code])
    return label


def status_label(code: str | None, language: str | None = None) -> str:
    return "—" if code is None else _label(STATUS, code, language)


def severity_label(code: str, language: str | None = None) -> str:
    return _label(SEVERITY, code, language)


def strength_label(code: str, language: str | None = None) -> str:
    return _label(STRENGTH, code, language)


def legal_status_label(code: str, language: str | None = None) -> str:
    return _label(LEGAL_STATUS, code, language)


def kind_label(code: str, language: str | None = None) -> str:
    return _label(KIND, code, language)


def kind_heading(code: str, language: str | None = None) -> str:
    return _label(KIND_HEADING, code, language)


def enforcement_label(code: str, language: str | None = None) -> str:
    return _label(ENFORCEMENT, code, language)


def confidence_label(code: str, language: str | None = None) -> str:
    """A translated label (一次資料で確認 / checked against the primary source), never the raw code."""
    return _label(CONFIDENCE, code, language)


def stage_label(code: str, language: str | None = None) -> str:
    return _label(STAGE, code, language)


def ref_in(provision, language: str) -> str:
    """``第17条`` in Japanese where the provision has a Japanese citation, else ``Art. 17``."""
    ref_ja = getattr(provision, "ref_ja", "") or ""
    return ref_ja if language == "ja" and ref_ja else provision.ref


def iso_datetime(value) -> str:
    """An ISO timestamp (or datetime) as ``2026-11-29 12:34`` in local time; "" for none."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


def percent(score) -> str:
    return "—" if score is None else f"{score * 100:.0f}%"


# --- Changes since the previous approved assessment (issue 11) -------------------------------


def points(delta) -> str:
    """A score change in percentage points: ``0.25`` → ``+25 pt``, ``-0.1`` → ``−10 pt``, None → —."""
    if delta is None:
        return "—"
    value = round(delta * 100)
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return _("%(sign)s%(n)s pt") % {"sign": sign, "n": abs(value)}
