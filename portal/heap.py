"""Keeping Python's cyclic garbage collector off the long-lived heap of a web worker.

A web worker holds a large heap that lives as long as the process: Django's URL and template
machinery and the published framework content cached in memory (about 250,000 objects once an
assessment has been opened). The collector's full pass walks all of it, and a request that
triggers one waits: measured on the autosave, three full passes of up to 160 ms in 600 saves,
about 1.5 ms a save on average and the whole of the tail latency.

``gc.freeze()`` moves every object alive at that moment into a permanent generation that the
collector no longer walks. The worker freezes its heap after its 1st, 10th, 100th and 1,000th
request, by which time what is alive between requests is the long-lived part. Each freeze is
preceded by a full collection, so that no garbage is frozen (a frozen cycle would never be
freed); objects frozen and later dropped are still freed by reference counting. The pass runs
after the response has been sent (``request_finished``), so no reader waits for it.

Wired only into the WSGI application (``portal.wsgi``): tests, management commands and the
Celery worker (whose renders pause the collector on their own, ``collector_paused``) are
unaffected. Example: ``request_finished.connect(heap_freeze_if_due)``.
"""

from __future__ import annotations

import gc
import threading

#: The requests after which the worker's heap is frozen: its caches fill in the first few.
FREEZE_AFTER = frozenset({1, 10, 100, 1000})

_lock = threading.Lock()
_served = 0


def heap_freeze_if_due(**_signal_kwargs) -> bool:
    """Count one finished request; collect and freeze the heap if it is one of ``FREEZE_AFTER``.
    Returns whether it froze."""
    global _served
    with _lock:
        _served += 1
        if _served not in FREEZE_AFTER:
            return False
    gc.collect()
    gc.freeze()
    return True
