"""Input fields shared by the apps' APIs."""

from rest_framework import serializers

#: The largest id a database row can have (a signed 64-bit integer, as SQLite and PostgreSQL
#: bigint store it). A larger number cannot name a row: it is refused with 400 before any query,
#: where SQLite would otherwise fail with OverflowError (a 500).
ID_MAX = 2**63 - 1


class IdField(serializers.IntegerField):
    """The id of a row given in a request body, e.g. ``"question": 12``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)
