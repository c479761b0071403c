"""The task runner keeps the database off the GUI thread and brings answers back to it."""

from __future__ import annotations

import threading

from pos_app.domain.problems import Refused, problem
from pos_app.ui.tasks import TaskRunner


def test_calls_run_on_the_worker_in_order_and_answer_on_the_gui_thread(qtbot):
    runner = TaskRunner()
    ran_on, answered_on, order = [], [], []

    def job(n):
        ran_on.append(threading.current_thread())
        order.append(n)
        return n * 10

    try:
        for n in range(5):
            runner.run(job, n, on_done=lambda v: answered_on.append((threading.current_thread(), v)))
        qtbot.waitUntil(lambda: len(answered_on) == 5, timeout=5000)
    finally:
        runner.stop()
    assert order == [0, 1, 2, 3, 4]
    assert all(t is not threading.main_thread() for t in ran_on)
    assert [v for _t, v in answered_on] == [0, 10, 20, 30, 40]
    assert all(t is threading.main_thread() for t, _v in answered_on)


def test_a_refusal_and_a_fault_both_reach_the_error_callback_and_the_worker_goes_on(qtbot):
    runner = TaskRunner()
    errors, done = [], []

    def refuse():
        raise Refused(problem("x.no", "not allowed"))

    def crash():
        raise ZeroDivisionError("boom")

    try:
        runner.run(refuse, on_error=errors.append)
        runner.run(crash, on_error=errors.append)
        runner.run(lambda: "still here", on_done=done.append)
        qtbot.waitUntil(lambda: bool(done), timeout=5000)
    finally:
        runner.stop()
    assert [type(e) for e in errors] == [Refused, ZeroDivisionError]
    assert done == ["still here"] and runner.pending == 0


def test_a_job_held_until_after_the_paint_counts_as_pending_and_keeps_its_place_in_line(qtbot):
    runner = TaskRunner()
    order = []
    try:
        runner.run_after_paint(order.append, "requote")
        assert runner.pending == 1                        # a busy indicator or a test waiting for idle sees it
        runner.run(order.append, "scan")                  # asked later: must not overtake the held job
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)
        runner.run_after_paint(order.append, "held alone")  # released by the event loop, nothing else asked
        qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)
    finally:
        runner.stop()
    assert order == ["requote", "scan", "held alone"]


def test_another_thread_calls_a_job_on_the_worker_and_waits_for_its_answer(qtbot):
    from PySide6.QtCore import QThread
    runner = TaskRunner()
    out = {}

    def sync_thread():
        out["thread"] = runner.call(lambda: QThread.currentThread().objectName())
        out["value"] = runner.call(lambda: 6 * 7)
        try:
            runner.call(lambda: 1 / 0)
        except ZeroDivisionError as exc:
            out["error"] = exc
        out["nested"] = runner.call(lambda: runner.call(lambda: "at once on the worker"))

    t = threading.Thread(target=sync_thread)
    try:
        t.start()
        qtbot.waitUntil(lambda: not t.is_alive(), timeout=5000)
    finally:
        runner.stop()
    assert out["thread"] == "db-worker" and out["value"] == 42
    assert isinstance(out["error"], ZeroDivisionError)
    assert out["nested"] == "at once on the worker"


def test_a_call_the_worker_never_takes_runs_once_on_the_caller_once_the_runner_stops(qtbot):
    runner = TaskRunner()
    runner.stop()  # the worker is gone (the app is closing)
    ran = []
    result = runner.call(lambda: ran.append(threading.current_thread().name) or "done", poll_s=0.05)
    assert result == "done" and ran == [threading.current_thread().name]


def test_a_call_waits_for_a_busy_worker_however_long_its_job(qtbot):
    """A long cashier job (a report) is waited for: the write still goes to the worker, not around it."""
    from PySide6.QtCore import QThread
    runner = TaskRunner()
    gate, out = threading.Event(), {}
    runner.run(gate.wait, 10)  # the worker is busy until the gate opens
    t = threading.Thread(target=lambda: out.update(on=runner.call(lambda: QThread.currentThread().objectName(),
                                                                  poll_s=0.01)))
    try:
        t.start()
        t.join(0.5)
        assert t.is_alive() and not out  # waiting, not written around the worker
        gate.set()
        qtbot.waitUntil(lambda: not t.is_alive(), timeout=5000)
    finally:
        runner.stop()
    assert out["on"] == "db-worker"
