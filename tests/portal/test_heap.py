"""The web worker freezes its long-lived heap after its first requests (portal.heap)."""

import gc
import weakref

import pytest
from django.core.signals import request_finished

from portal import heap


@pytest.fixture
def fresh_counter(monkeypatch):
    monkeypatch.setattr(heap, "_served", 0)
    yield
    gc.unfreeze()


def test_the_heap_is_frozen_after_the_1st_10th_100th_and_1000th_request_only(fresh_counter):
    froze_at = [n for n in range(1, 1201) if heap.heap_freeze_if_due()]
    assert froze_at == [1, 10, 100, 1000]
    assert gc.get_freeze_count() > 0


class _Node:
    pass


def test_garbage_alive_at_the_freeze_is_collected_first_never_frozen(fresh_counter):
    a, b = _Node(), _Node()
    a.other, b.other = b, a  # a cycle: only the cyclic collector frees it
    gone = weakref.ref(a)
    del a, b
    assert gone() is not None
    assert heap.heap_freeze_if_due()  # the first request
    assert gone() is None


def _connected() -> bool:
    return any(r[0][0] == "portal.heap.heap_freeze_if_due" for r in request_finished.receivers)


def test_only_the_wsgi_application_freezes_its_heap():
    assert not _connected()  # not in tests, commands or the Celery worker
    import portal.wsgi  # noqa: F401

    try:
        assert _connected()
    finally:
        request_finished.disconnect(dispatch_uid="portal.heap.heap_freeze_if_due")
