from django import template

from frameworks.choices import Actor, Confidence, Enforcement

register = template.Library()
_ACTORS = dict(Actor.choices)


@register.filter
def actor_label(code: str) -> str:
    """``ai_provider`` → "AI provider" (translated)."""
    return _ACTORS.get(code, code)


# --- Enforcement, confidence and citation labels (issue 10) ---


@register.filter
def enforcement_label(provision) -> str:
    """How a breach is enforced, with the articles that say so, in the page's language.

    APPI Art. 23 → "Regulator's recommendation and order; penalty for breaching an order
    (Art. 148, Art. 178, Art. 184)"; empty where the catalog does not state it.
    """
    from portal.templatetags.tekigo import _lang, article_label

    kind = getattr(provision, "enforcement", "")
    if not kind:
        return ""
    label = str(Enforcement(kind).label)
    articles = [article_label(a) for a in getattr(provision, "enforcement_articles", None) or []]
    if not articles:
        return label
    if _lang() == "ja":
        return f"{label}（{'、'.join(articles)}）"
    return f"{label} ({', '.join(articles)})"


@register.filter
def confidence_label(code: str) -> str:
    """``verified_primary`` → "Checked against the primary source" (translated); never the raw code."""
    try:
        return str(Confidence(code).label)
    except ValueError:
        return ""


@register.filter
def provision_ref(provision) -> str:
    """The citation in the page's language: 第17条 on Japanese pages (where the catalog has it), Art. 17 in English."""
    from portal.templatetags.tekigo import _lang

    if _lang() == "ja" and getattr(provision, "ref_ja", ""):
        return provision.ref_ja
    return provision.ref
