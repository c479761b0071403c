"""Python's cycle collector kept off the hot path of a push, on both sides.

A push batch (on the store: 500 events read, sent and answered; at HQ: parsed, merged and
written) allocates tens of thousands of short-lived objects. The collector counts
allocations, and every few of its runs it walks the whole heap. At HQ that was a quarter of
ingest's CPU. On the store, it stopped every thread (the push threads too) for 40-90 ms in
the middle of a push, measured in bench.sync with gc.callbacks. Nearly all of a batch's
objects are freed by reference counting when the batch ends. Neither helper changes what
the code computes or stores, only when memory is reclaimed.

- `gc_paused()` (HQ, around one push): the collector is off while any push runs. It is
  bounded: should pushes overlap without a break for MAX_PAUSE_S, the pusher leaving then
  runs one full collection, so cyclic garbage never piles up under steady load.
- `heap_frozen()` (the store, around a whole push, which can last as long as the network
  makes it): the collector stays on, but the heap that existed before the push is set
  aside (gc.freeze), so a full collection during the push walks only what the push made.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

MAX_PAUSE_S = 5.0

_lock = threading.Lock()
_pausers = 0
_paused_since = 0.0
_freezers = 0


@contextmanager
def gc_paused() -> Iterator[None]:
    """The collector off while any pauser runs (nested and concurrent pausers count)."""
    global _pausers, _paused_since
    with _lock:
        _pausers += 1
        if _pausers == 1:
            _paused_since = time.monotonic()
        gc.disable()
    try:
        yield
    finally:
        collect = False
        with _lock:
            _pausers -= 1
            if _pausers == 0:
                gc.enable()
            elif time.monotonic() - _paused_since > MAX_PAUSE_S:
                _paused_since, collect = time.monotonic(), True
        if collect:
            gc.collect()


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Full collections inside the block walk only objects made since it began (gc.freeze)."""
    global _freezers
    with _lock:
        _freezers += 1
        gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _freezers -= 1
            if _freezers == 0:
                gc.unfreeze()  # what the block left behind is collected as usual from now on
