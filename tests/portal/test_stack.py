"""Room on the frame stack (portal.stack): the helper, and the middleware that gives it to every
request."""

import resource

import pytest
from django.conf import settings
from django.test import RequestFactory, signals
from django.urls import reverse

from portal.middleware import StackRoomMiddleware
from portal.stack import call_with_stack_room
from tests.support import room_on_stack, run_with_production_settings


def test_call_with_stack_room_passes_arguments_result_and_errors():
    assert call_with_stack_room(divmod, 17, 5) == (3, 2)
    assert call_with_stack_room(dict, a=1) == {"a": 1}
    with pytest.raises(ZeroDivisionError):
        call_with_stack_room(divmod, 1, 0)


def _chunk_faults(call) -> int:
    """Minor page faults of this thread while ``call`` recurses 400 deep and back 2,000 times.

    400 frames of ``down`` (about 100 bytes each) need more than one 16 KiB chunk of CPython's
    frame stack, so wherever the recursion starts, it crosses a chunk boundary on every way
    down; on Python 3.11 the chunk beyond is mapped afresh each time (a fault) and unmapped on
    the way back up, unless the frames below left room for the whole recursion.
    """

    def down(depth: int) -> int:
        return depth if depth == 0 else down(depth - 1)

    def workload():
        for _ in range(2000):
            down(400)

    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    call(workload)
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before


def test_a_call_with_stack_room_does_not_map_frame_chunks_again_and_again():
    plain = _chunk_faults(lambda workload: workload())
    roomy = _chunk_faults(lambda workload: call_with_stack_room(workload))
    if plain < 2000:
        pytest.skip("this Python keeps a spare frame-stack chunk (python/cpython#142183 fixed)")
    assert roomy < 200, (plain, roomy)


def test_the_middleware_runs_the_rest_of_the_request_in_the_room():
    seen = []

    def view(request):
        seen.append(room_on_stack())
        return "response"

    assert StackRoomMiddleware(view)(RequestFactory().get("/")) == "response"
    assert seen == [True]
    assert not room_on_stack()


def test_the_room_is_the_outermost_middleware_in_development_and_production():
    assert settings.MIDDLEWARE[0] == "portal.middleware.StackRoomMiddleware"
    production = run_with_production_settings(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.MIDDLEWARE[0])"
    )
    assert production.returncode == 0, production.stderr
    assert production.stdout.strip() == "portal.middleware.StackRoomMiddleware"


@pytest.mark.django_db
def test_a_page_is_rendered_in_the_room(client):
    rendered = []

    def record(sender, **kwargs):
        rendered.append(room_on_stack())

    signals.template_rendered.connect(record)
    try:
        assert client.get(reverse("login")).status_code == 200
    finally:
        signals.template_rendered.disconnect(record)
    assert rendered and all(rendered)
