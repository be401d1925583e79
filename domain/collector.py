"""Python's cycle collector held off while one batch builds and keeps a few hundred thousand objects.

A 100,000-row grant makes about a million objects (owners, rows, postings) that all live until its
transaction ends. The collector, counting allocations, walks every live object again and again while
they accumulate and frees none of them: 0.4–1.4 s of a grant's 2–3 s of Python, measured with
``py-spy`` (docs/figures.md). Held off for the batch, it collects as usual after. Reference counting still
frees everything that is not in a cycle, in the batch and in whatever else the process does
meanwhile; cycles made meanwhile wait for the next collection.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_holding = 0  # batches running now (a server may run two at once: the last one out re-enables)
_was_enabled = True


@contextmanager
def collector_held() -> Iterator[None]:
    global _holding, _was_enabled
    if _holding == 0:
        _was_enabled = gc.isenabled()
        gc.disable()
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
        if _holding == 0 and _was_enabled:
            gc.enable()
