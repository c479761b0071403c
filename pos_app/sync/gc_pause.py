"""Python's cycle collector paused while a burst of allocation-heavy work runs.

A push batch (on the store: 500 events read, encoded and answered; at HQ: parsed, merged and
written) allocates tens of thousands of short-lived objects. The collector counts allocations,
and every few of its runs it walks the whole heap: at HQ a quarter of ingest's CPU, on the store
a 40-90 ms stop of every thread (the push threads too) in the middle of a push, measured in
bench.sync with gc.callbacks. Nearly all of those objects are freed by reference counting as the
batch ends; the collector, on again when the last pauser leaves, gets the rest. It changes when
memory is reclaimed, nothing the code computes or stores.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_pausers = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """The collector off while any pauser runs (nested and concurrent pausers count)."""
    global _pausers
    with _lock:
        _pausers += 1
        gc.disable()
    try:
        yield
    finally:
        with _lock:
            _pausers -= 1
            if _pausers == 0:
                gc.enable()
