"""Celery tasks of the report pipeline. Each takes ids and calls a service."""

from __future__ import annotations

import logging
import os

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.conf import settings
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

#: Errors worth retrying: the database was briefly locked or unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
#: Tries after the first, with waits of 2, 4, 8, 16 and 32 seconds between them (about a minute).
RENDER_MAX_RETRIES = 5


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORT_RENDER_SOFT_LIMIT,
    time_limit=settings.REPORT_RENDER_HARD_LIMIT,
    max_retries=RENDER_MAX_RETRIES,
)
def report_render_task(self, report_id: int) -> None:
    """Render one report. A transient error is retried with growing waits; once the retries are
    used up the report is marked failed with the reason (and audited), so the person who asked
    sees it and can ask again, instead of the report staying 'rendering' for ever."""
    from reports.services import report_fail, report_release, report_render

    worker = f"{self.request.hostname}:{os.getpid()}"
    try:
        report_render(report_id=report_id, worker=worker)
    except TRANSIENT_ERRORS as exc:
        attempts = self.request.retries + 1
        if self.request.retries >= self.max_retries:
            _fail_or_leave_for_the_sweep(
                report_id,
                f"Gave up after {attempts} attempts: {type(exc).__name__}: {exc}",
            )
            return
        try:
            # Hand the claim back, so the retry (or another worker) may take the report again.
            report_release(report_id=report_id, worker=worker)
        except TRANSIENT_ERRORS:
            pass  # the database is still away; the stale sweep frees the claim later
        raise self.retry(exc=exc, countdown=2**attempts) from exc
    except SoftTimeLimitExceeded:
        report_fail(
            report_id=report_id,
            reason=f"Rendering took longer than {settings.REPORT_RENDER_SOFT_LIMIT} seconds.",
        )
    except Exception as exc:  # a bug or bad data: retrying will not help, so record it on the row
        report_fail(report_id=report_id, reason=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=300,
    time_limit=360,
    max_retries=5,
)
def evidence_pack_build_task(self, pack_id: int) -> None:
    """Build an evidence pack. A transient error gives the claim back and retries; once the
    retries are used up the pack is failed with the reason, so it never stays "building"."""
    from reports.packs import evidence_pack_build, evidence_pack_fail, evidence_pack_release

    try:
        evidence_pack_build(pack_id=pack_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            try:
                evidence_pack_fail(
                    pack_id=pack_id,
                    reason=f"Gave up after {self.request.retries + 1} attempts: {exc}",
                )
            except TRANSIENT_ERRORS:
                logger.error("evidence pack %s: could not record the failure", pack_id)
            return
        try:
            evidence_pack_release(pack_id=pack_id)
        except TRANSIENT_ERRORS:
            pass
        raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
    except SoftTimeLimitExceeded:
        evidence_pack_fail(pack_id=pack_id, reason="Building the pack took longer than 5 minutes.")
    except Exception as exc:  # a bug or bad data: retrying will not help, so record it on the row
        evidence_pack_fail(pack_id=pack_id, reason=f"{type(exc).__name__}: {exc}")
        raise


def _fail_or_leave_for_the_sweep(report_id: int, reason: str) -> None:
    from reports.services import report_fail

    try:
        report_fail(report_id=report_id, reason=reason)
    except TRANSIENT_ERRORS as exc:  # cannot even record it: the stale sweep will find the row
        logger.error("report %s: %s; recording the failure failed too: %s", report_id, reason, exc)


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
