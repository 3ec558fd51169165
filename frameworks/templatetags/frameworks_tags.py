from django import template

from frameworks.choices import Actor

register = template.Library()
_ACTORS = dict(Actor.choices)


@register.filter
def actor_label(code: str) -> str:
    """``ai_provider`` → "AI provider" (translated)."""
    return _ACTORS.get(code, code)
