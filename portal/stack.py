"""Room on Python's frame stack for deep, busy call trees: page rendering and PDF layout.

CPython 3.11 keeps Python frames in 16 KiB chunks. A call that does not fit in the current chunk
maps a new one, and the chunk is unmapped when that call returns (python/cpython#142183; later
3.13 and 3.14 releases keep a spare chunk, 3.11 does not). Code that recurses up and down many
times, as Django's template rendering and WeasyPrint's layout do, crosses a chunk boundary
whenever one of its busy depths meets one, and every crossing maps, faults in and unmaps memory.
Where the boundaries fall depends only on how deep the caller already is, so the cost comes and
goes with unrelated changes. Measured: a questionnaire page of 160 questions took 105-127 ms of
CPU (6,000-9,300 minor page faults) and 63-65 ms (6-28) with room; the largest report's PDF
1.97-2.34 s (15,000-58,000 faults) and 1.83-1.93 s (2,700).

``call_with_stack_room`` gives its callee that room: it calls through a function whose frame has
a 512 KiB evaluation stack (unused slots are never written, so they cost nothing). Such a frame
does not fit in the current chunk, so CPython gives it a 1 MiB chunk of its own, and the
callee's frames fill the other half.

Example: ``pdf = call_with_stack_room(report_pdf_render, html=html)``.
"""

from __future__ import annotations

#: Frame stack, in machine words, kept free for the callee (512 KiB on 64-bit; a page of the
#: portal or the largest report's layout uses a small part of it).
STACK_ROOM_WORDS = 65536


def _with_room(function, args, kwargs):
    return function(*args, **kwargs)


# A frame as large as the room: it does not fit in the current chunk, so CPython gives it a
# chunk of its own, the next power of two above its size.
_with_room.__code__ = _with_room.__code__.replace(co_stacksize=STACK_ROOM_WORDS)


def call_with_stack_room(function, /, *args, **kwargs):
    """``function(*args, **kwargs)``, with room for about 512 KiB of Python frames above it.

    Arguments, the result and exceptions pass through unchanged; each thread has its own frame
    stack, so it is safe in threads. Example::

        pdf = call_with_stack_room(report_pdf_render, html=html)
    """
    return _with_room(function, args, kwargs)
