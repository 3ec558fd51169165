"""Template helpers shared by every app."""

from django import template
from django.utils.translation import get_language

register = template.Library()


def _lang() -> str:
    return "en" if (get_language() or "ja").startswith("en") else "ja"


@register.filter
def loc(obj, field: str, lang: str | None = None) -> str:
    """``{{ provision|loc:"title" }}``: ``title_en`` when the page is in English, else ``title_ja``.

    Falls back to the other language rather than showing nothing. ``lang`` ("ja" or "en")
    names the language instead of the active one (the report's template passes it:
    ``{{ p|loc("title", lang) }}``).
    """
    lang = lang or _lang()
    other = "ja" if lang == "en" else "en"
    if isinstance(obj, dict):
        return obj.get(f"{field}_{lang}") or obj.get(f"{field}_{other}", "")
    return getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_{other}", "")


@register.simple_tag
def page_lang() -> str:
    return _lang()


@register.filter
def article_label(number: str, lang: str | None = None) -> str:
    """``"26"`` → 第26条 / Art. 26; ``"suppl-2"`` → 附則第2条 / Suppl. Art. 2; ``"2-2"`` → 第2条の2 / Art. 2-2.

    ``lang`` as for :func:`loc`.
    """
    suppl = number.startswith("suppl-")
    base = number.removeprefix("suppl-")
    main, *branches = base.split("-")
    if (lang or _lang()) == "ja":
        return ("附則" if suppl else "") + f"第{main}条" + "".join(f"の{b}" for b in branches)
    return ("Suppl. " if suppl else "") + f"Art. {base}"
