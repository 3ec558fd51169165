from django import template
from django.utils.translation import get_language

from assessments.answer_values import answer_value_labels

register = template.Library()


@register.filter
def answer_display(answer) -> str:
    """The answer's value as the reader reads it: choice labels in the page language, or the value."""
    if answer is None:
        return ""
    language = "en" if (get_language() or "ja").startswith("en") else "ja"
    return answer_value_labels(answer.question, answer.value, language)
