"""URL converters of the API: ids that fit a database integer.

Django's ``int`` converter accepts any number of digits; a number around 10**30 then reaches
SQLite, which cannot bind it (OverflowError, a 500). ``<id:pk>`` matches at most 18 digits
(every id below 10**18 fits a signed 64-bit integer), so a longer number is simply a 404.
"""

from django.urls import register_converter


class IdConverter:
    """``/assessments/<id:pk>/``: matches ``12``, not ``1000000000000000000000000000000``."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
