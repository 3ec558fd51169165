"""One normal form for the text of framework content, applied on every way in.

Browsers post a textarea's line breaks as ``\\r\\n``, editors paste decomposed
Unicode (``か`` + ``゙`` instead of ``が``) and trailing blanks; none of that is a
change of content, yet each would show in a version diff and change a hash.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["normalise_data", "normalise_text"]

# Only ASCII blanks before a line break: an ideographic space (U+3000) can be layout in statute text.
_TRAILING_BLANKS = re.compile(r"[ \t]+(?=\n)")


def normalise_text(value: str) -> str:
    """The normal form of ``value``: ``\\n`` line endings, Unicode NFC, no ASCII blanks at line ends,
    no blank at either end (as the framework file format strips them too).

    Example: ``normalise_text("第一項 \\r\\n第二項")`` is ``"第一項\\n第二項"``.
    """
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    return _TRAILING_BLANKS.sub("", text).strip()


def normalise_data(value: Any) -> Any:
    """``value`` (JSON data) with every string in it, keys excepted, in :func:`normalise_text` form.

    Example: ``normalise_data([{"label_en": "Yes "}])`` is ``[{"label_en": "Yes"}]``.
    """
    if isinstance(value, str):
        return normalise_text(value)
    if isinstance(value, list):
        return [normalise_data(v) for v in value]
    if isinstance(value, dict):
        return {k: normalise_data(v) for k, v in value.items()}
    return value


def normalise_fields(instance) -> None:
    """Put every text and JSON field of a model ``instance`` in normal form, in place."""
    from django.db import models

    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField)):
            value = getattr(instance, field.attname)
            if isinstance(value, str):
                setattr(instance, field.attname, normalise_text(value))
        elif isinstance(field, models.JSONField):
            setattr(instance, field.attname, normalise_data(getattr(instance, field.attname)))
