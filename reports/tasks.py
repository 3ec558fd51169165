"""Celery tasks of the report pipeline. Each takes ids and calls a service."""

from __future__ import annotations

import logging
import os

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

#: Errors worth retrying: the database was briefly locked or unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_kwargs={"max_retries": 5},
)
def report_render_task(self, report_id: int) -> None:
    from reports.services import report_fail, report_render

    try:
        report_render(report_id=report_id, worker=f"{self.request.hostname}:{os.getpid()}")
    except TRANSIENT_ERRORS:
        raise
    except SoftTimeLimitExceeded:
        report_fail(report_id=report_id, reason="Rendering took longer than 60 seconds.")
    except Exception as exc:  # a bug or bad data: retrying will not help, so record it on the row
        report_fail(report_id=report_id, reason=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=300,
    time_limit=360,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_kwargs={"max_retries": 5},
)
def evidence_pack_build_task(self, pack_id: int) -> None:
    from reports.packs import evidence_pack_build, evidence_pack_fail

    try:
        evidence_pack_build(pack_id=pack_id)
    except TRANSIENT_ERRORS:
        raise
    except SoftTimeLimitExceeded:
        evidence_pack_fail(pack_id=pack_id, reason="Building the pack took longer than 5 minutes.")
    except Exception as exc:  # recorded on the row by the service; retrying will not help
        evidence_pack_fail(pack_id=pack_id, reason=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(acks_late=True, soft_time_limit=30, time_limit=60)
def report_requeue_stale_task() -> list[int]:
    from reports.services import report_requeue_stale

    return report_requeue_stale()


@worker_ready.connect
def _take_over_from_dead_predecessor(sender, **kwargs) -> None:
    """A worker that starts under the same name as one that died re-sends that one's renders."""
    from reports.services import report_requeue_stale

    try:
        report_requeue_stale(worker_prefix=f"{sender.hostname}:")
    except TRANSIENT_ERRORS as exc:  # the periodic sweep will try again; never keep the worker down
        logger.warning("requeue at start-up failed: %s", exc)
