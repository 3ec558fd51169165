"""Celery tasks of the assessments app. Each calls a service."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

#: Errors worth retrying: the database was briefly locked or unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_kwargs={"max_retries": 3},
)
def due_reminders_send_task() -> int:
    """The daily due-soon and overdue reminders; safe to run twice (each reminder is sent once)."""
    from assessments.services import due_reminders_send

    return due_reminders_send()
