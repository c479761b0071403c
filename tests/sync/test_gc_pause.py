"""The cycle collector's pauses around pushes (pos_app.sync.gc_pause) always end, and are bounded."""

from __future__ import annotations

import gc

from pos_app.sync import gc_pause


def test_the_collector_is_off_while_any_pauser_runs_and_on_after_the_last():
    assert gc.isenabled()
    with gc_pause.gc_paused():
        with gc_pause.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pauser still runs
    assert gc.isenabled()
    try:
        with gc_pause.gc_paused():
            raise ValueError("a push that fails")
    except ValueError:
        pass
    assert gc.isenabled()


def test_pauses_that_overlap_without_a_break_still_collect_now_and_then(monkeypatch):
    collected = []
    monkeypatch.setattr(gc_pause, "MAX_PAUSE_S", 0.0)
    monkeypatch.setattr(gc_pause.gc, "collect", lambda *a: collected.append(1) or 0)
    outer = gc_pause.gc_paused()
    outer.__enter__()
    try:
        with gc_pause.gc_paused():  # leaves while the outer one runs, past MAX_PAUSE_S
            pass
        assert collected == [1] and not gc.isenabled()
    finally:
        outer.__exit__(None, None, None)
    assert gc.isenabled()


def test_the_heap_is_set_aside_during_a_push_and_given_back_after():
    assert gc.get_freeze_count() == 0
    with gc_pause.heap_frozen():
        assert gc.get_freeze_count() > 0 and gc.isenabled()
        with gc_pause.heap_frozen():
            pass
        assert gc.get_freeze_count() > 0  # the outer push still runs
    assert gc.get_freeze_count() == 0
