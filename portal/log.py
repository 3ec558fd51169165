"""Logging: every record carries the id of the request it was written in.

The id is the one the audit log records (``X-Request-ID``), so a log line and an audit row of
the same request can be found from each other. Production writes one JSON object per line
(python-json-logger); development writes plain text.

Example (production)::

    {"asctime": "2026-11-29 03:40:01,123", "levelname": "WARNING", "name": "django.request",
     "message": "Not Found: /nowhere", "request_id": "5f0c…"}
"""

from __future__ import annotations

import logging

from portal.request_context import request_id_var


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` ("-" outside a request: commands, workers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


def logging_config(*, json: bool, level: str = "INFO") -> dict:
    """The LOGGING setting: JSON lines for production, plain lines for development."""
    formatter = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        }
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "portal.log.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "default",
            }
        },
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "portal": {"level": level},
            "frameworks": {"level": level},
            "assessments": {"level": level},
            "reports": {"level": level},
        },
    }
