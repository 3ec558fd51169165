from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def answer_display(answer) -> str:
    """The answer's value as the reader reads it: choice labels in the page language, or the value."""
    if answer is None or answer.value in (None, "", []):
        return ""
    language = "en" if (get_language() or "ja").startswith("en") else "ja"
    labels = {c["key"]: c[f"label_{language}"] for c in answer.question.choices}
    values = answer.value if isinstance(answer.value, list) else [answer.value]
    return "、".join(str(labels.get(v, v)) for v in values) if language == "ja" else ", ".join(str(labels.get(v, v)) for v in values)
