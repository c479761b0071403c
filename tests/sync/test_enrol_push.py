"""Enrolment, handshake, and a store's sales pushed to HQ: balances equal on both sides,
a retried or duplicated push changes nothing, a dropped answer is retried as `exists`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pos_app.services import checkout
from pos_app.services.demo import CASHIER_ID
from pos_app.services.setup import open_store
from pos_app.store import tables as T
from pos_app.sync import outbox, state
from pos_app.sync.cycle import PUSH_DEPTH, client_for, sync_once
from pos_app.sync.enrol import enrol
from pos_app.sync.errors import EnrolmentRefused, HQRefused
from pos_app.sync.handshake import handshake
from pos_app.sync.wire import PROTOCOL_MAX
from tests.sync.conftest import hq_balances, seed, local_balances, local_ledger_ok, member_ids


def _pending(ctx) -> int:
    with ctx.db.read() as conn:
        return outbox.pending_count(conn)


def sell(ctx, n: int) -> None:
    members = member_ids(ctx)
    for i in range(n):
        checkout.checkout(ctx, staff_id=CASHIER_ID, items=[("TEA-OOLONG", 1 + i % 2)],
                          member_id=members[i % len(members)])


def test_enrol_keeps_the_identity_and_the_handshake_agrees(hq, make_store, tmp_path):
    ctx = make_store("a", demo=False)
    with ctx.db.read() as conn:
        creds = state.credentials(conn)
    assert creds.hq_url == hq.url and creds.store_id == ctx.who.store_id and creds.device_key
    client = client_for(ctx.db)
    hs = handshake(ctx.db, client)
    assert hs.protocol == PROTOCOL_MAX == 2 and not hs.full_resync
    assert abs(hs.skew_s) < 5
    # enrolled once only; a database holding events from before enrolment is refused; a bad token is HQ's 401
    with pytest.raises(EnrolmentRefused, match="already enrolled"):
        enrol(ctx.db, hq.url, hq.enrolment_token(ctx.who.store_id), "again")
    demo = open_store(tmp_path / "demo")
    seed(demo, n_members=1)
    with pytest.raises(EnrolmentRefused, match="events recorded before enrolment"):
        enrol(demo.db, hq.url, hq.enrolment_token("s-other"), "till")
    fresh = open_store(tmp_path / "fresh")
    with pytest.raises(HQRefused) as err:
        enrol(fresh.db, hq.url, "not-a-real-token-at-all", "till")
    assert err.value.status == 401 and err.value.code == "bad_token"
    with fresh.db.read() as conn:
        assert state.credentials(conn) is None


def test_sales_reach_hq_and_balances_are_equal(hq, make_store):
    ctx = make_store("a")
    sell(ctx, 12)
    assert _pending(ctx) > 12
    report = sync_once(ctx.db, batch=7)  # several batches
    assert _pending(ctx) == 0
    assert report.answers.get("ok") == report.pushed and not report.answers.get("rejected")
    for m in member_ids(ctx):
        assert local_balances(ctx, m) == hq_balances(hq, m)
    stores = {s["store_id"]: s for s in hq.admin("GET", "/reports/chain").json()["stores"]}
    with ctx.db.read() as conn:
        n = conn.execute(select(func.count()).select_from(T.events).where(T.events.c.device_seq > 0)).scalar()
        issued = conn.execute(select(T.balances.c.balance)
                              .where(T.balances.c.account == f"store:{ctx.who.store_id}:issued")).scalar()
        o = T.outbox.c
        assert conn.execute(select(func.count()).where(o.status == "sent", o.hq_seq.is_not(None))).scalar() == n
    assert stores[ctx.who.store_id]["events"] == n
    assert stores[ctx.who.store_id]["points_issued"] == -issued
    local_ledger_ok(ctx)


def test_a_retried_or_duplicated_push_changes_nothing(hq, make_store):
    ctx = make_store("a")
    sync_once(ctx.db)
    before = {m: hq_balances(hq, m) for m in member_ids(ctx)}
    with ctx.db.read() as conn:
        acked = state.acked(conn)
    client = client_for(ctx.db)
    # the same events again, and each twice within one batch (read as pending in a rolled-back transaction)
    with ctx.db.write() as conn:
        conn.execute(T.outbox.update().values(status="pending"))
        events = outbox.pending(conn, 500)
        conn.rollback()
    answer = client.push(events + events)
    assert {a.status for a in answer.answers} == {"exists"}
    assert (answer.hq_acked_count, answer.hq_acked_hash) == acked[:2]
    assert {m: hq_balances(hq, m) for m in member_ids(ctx)} == before
    report = sync_once(ctx.db)
    assert report.pushed == 0 and not report.handshake.full_resync
    with ctx.db.read() as conn:
        assert state.acked(conn) == acked


def test_disagreeing_sides_trigger_a_full_repush(hq, make_store):
    ctx = make_store("a")
    sync_once(ctx.db)
    with ctx.db.write() as conn:
        count, _, top = state.acked(conn)
        state.set_acked(conn, count, "f" * 64, top)  # the store's view no longer matches HQ's
    report = sync_once(ctx.db)
    assert report.handshake.full_resync and report.handshake.requeued == count
    assert report.answers == {"exists": count}
    hs = handshake(ctx.db, client_for(ctx.db))
    assert not hs.full_resync


def test_cli_enrols_and_syncs_once(hq, tmp_path, capsys):
    from pos_app.cli import main
    data = tmp_path / "cli-store"
    import uuid
    token = hq.enrolment_token(f"s-cli-{uuid.uuid4().hex[:8]}")
    # --token=... : a token may start with "-"
    assert main(["--data", str(data), "enrol", "--hq", hq.url, f"--token={token}", "--name", "till-cli"]) == 0
    assert "enrolled: store" in capsys.readouterr().out
    assert main(["--data", str(data), "--no-demo", "sync", "--once"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    import json
    doc = json.loads(out)
    assert doc["state"] == "online" and doc["pending"] == 0 and doc["offline_hours_left"] > 71
    assert main(["--data", str(data), "--no-demo", "status"]) == 0
    status = capsys.readouterr().out
    assert "hq      enrolled" in status and "unsent  0" in status and "synced  never" not in status
    assert main(["--data", str(data), "enrol", "--hq", hq.url, f"--token={token}"]) == 2


def test_an_event_hq_refuses_outright_is_recorded_and_never_blocks_the_queue(hq, make_store):
    from pos_app.domain.ledger import Entry, Kind
    from pos_app.store import ledger_repo
    ctx = make_store("a")
    sell(ctx, 2)
    with ctx.db.write() as conn:  # a member id longer than the wire allows: HQ refuses the whole body (422)
        bad = ledger_repo.record(conn, Entry(Kind.MEMBER_PATCH, {"fields": {"name": "x"}}, member_id="m" * 40),
                                 who=ctx.who, staff_id=CASHIER_ID, rule_version=1, now=ctx.now())
    sell(ctx, 2)
    report = sync_once(ctx.db)
    assert report.answers.get("refused") == 1 and _pending(ctx) == 0
    with ctx.db.read() as conn:
        row = conn.execute(select(T.outbox.c.status, T.outbox.c.answer).where(T.outbox.c.event_id == bad.event_id)).one()
        assert [p["event_id"] for p in outbox.problems(conn)] == [bad.event_id]
    assert row.status == "rejected" and "invalid_body" in row.answer
    for m in member_ids(ctx):
        assert local_balances(ctx, m) == hq_balances(hq, m)
    assert not sync_once(ctx.db).handshake.full_resync


def test_a_disagreement_a_full_repush_cannot_mend_is_flagged_not_looped(hq, make_store):
    from pos_app.sync.scheduler import SyncScheduler
    ctx = make_store("a")
    sync_once(ctx.db)
    with ctx.db.write() as conn:  # this database's copy of an acknowledged event went bad
        o = T.outbox.c
        event_id = conn.execute(select(o.event_id).order_by(o.device_seq).limit(1)).scalar()
        conn.execute(T.events.update().where(T.events.c.event_id == event_id).values(payload_hash="e" * 64))
        conn.execute(T.outbox.update().where(o.event_id == event_id).values(status="pending"))
        state.set_acked(conn, *outbox.recompute_acked(conn))
    report = sync_once(ctx.db)  # HQ counts the event, the store cannot: one full re-push ...
    assert report.handshake.full_resync and report.handshake.requeued > 0
    assert report.answers.get("exists_mismatch") == 1 and report.answers.get("exists") == report.pushed - 1
    report = sync_once(ctx.db)  # ... and no more: flagged for a person
    assert report.handshake.full_resync and report.handshake.requeued == 0 and report.pushed == 0
    st = SyncScheduler(ctx.db).status(refresh=True)
    assert st.hq_disagrees and st.problems == 1 and st.pending == 0


class _InFlight:
    """Counts HQClient.push_body calls running at once (the real pushes, over HTTP to the real HQ).

    The first PUSH_DEPTH calls wait for one another before sending, so the count does not depend on
    how fast HQ answers: a store that waited for an answer before its next push would never bring
    them together, the wait would time out and the sync would fail."""

    def __init__(self, monkeypatch):
        import threading
        from pos_app.sync.client import HQClient
        self.now = self.most = self.calls = 0
        lock, real = threading.Lock(), HQClient.push_body
        together = threading.Barrier(PUSH_DEPTH, timeout=10)

        def push(client, body):
            with lock:
                self.calls += 1
                first = self.calls <= PUSH_DEPTH
                self.now += 1
                self.most = max(self.most, self.now)
            try:
                if first:
                    together.wait()
                return real(client, body)
            finally:
                with lock:
                    self.now -= 1
        monkeypatch.setattr(HQClient, "push_body", push)


def test_a_store_catching_up_keeps_batches_in_flight_and_hq_agrees(hq, make_store, monkeypatch):
    ctx = make_store("a")
    sell(ctx, 30)
    flight = _InFlight(monkeypatch)
    report = sync_once(ctx.db, batch=6)
    assert flight.most == PUSH_DEPTH > 1, "the next batches go out before the answer to this one"
    assert _pending(ctx) == 0 and report.answers == {"ok": report.pushed}
    for m in member_ids(ctx):
        assert local_balances(ctx, m) == hq_balances(hq, m)
    with ctx.db.read() as conn:
        acked = state.acked(conn)
    again = sync_once(ctx.db)  # the acknowledged count and rolling hash agree with HQ's
    assert not again.handshake.full_resync and again.pushed == 0
    assert (again.handshake.answer.hq_acked_count, again.handshake.answer.hq_acked_hash) == acked[:2]
    local_ledger_ok(ctx)


def test_a_batch_refused_while_another_is_in_flight_is_halved_and_nothing_is_lost(hq, make_store, monkeypatch):
    from pos_app.domain.ledger import Entry, Kind
    from pos_app.store import ledger_repo
    ctx = make_store("a")
    sell(ctx, 8)
    with ctx.db.write() as conn:  # HQ refuses the whole body holding this one (422)
        bad = ledger_repo.record(conn, Entry(Kind.MEMBER_PATCH, {"fields": {"name": "x"}}, member_id="m" * 40),
                                 who=ctx.who, staff_id=CASHIER_ID, rule_version=1, now=ctx.now())
    sell(ctx, 8)
    flight = _InFlight(monkeypatch)
    report = sync_once(ctx.db, batch=6)
    assert flight.most == PUSH_DEPTH
    assert report.answers.get("refused") == 1 and not report.answers.get("rejected") and _pending(ctx) == 0
    with ctx.db.read() as conn:
        assert [p["event_id"] for p in outbox.problems(conn)] == [bad.event_id]
    for m in member_ids(ctx):
        assert local_balances(ctx, m) == hq_balances(hq, m)
    assert not sync_once(ctx.db).handshake.full_resync
    local_ledger_ok(ctx)


def test_the_push_body_built_by_sqlite_carries_the_same_wire_events(hq, make_store):
    from datetime import datetime
    import json
    from pos_app.domain.ledger import canonical_json
    from pos_app.sync.wire import WireEvent
    ctx = make_store("a")
    sell(ctx, 5)
    with ctx.db.write() as conn:
        first, second = conn.execute(select(T.outbox.c.event_id).order_by(T.outbox.c.device_seq).limit(2)).scalars()
        # a whole-second time (isoformat drops its microseconds); no staff and no member; a payload with
        # Chinese text, quotes, a backslash, a line separator, a NUL and an integer past 64 bits
        conn.execute(T.events.update().where(T.events.c.event_id == first)
                     .values(device_time=datetime(2026, 12, 3, 8, 0, 0), staff_id=None, member_id=None))
        conn.execute(T.events.update().where(T.events.c.event_id == second).values(payload=canonical_json(
            {"note": '乌龙茶 "特级"\\ \u2028 \x00', "big": 2**70, "neg": -1, "none": None, "list": [[1, "a"], {}]})))
    with ctx.db.read() as conn:
        events = outbox.pending(conn, 7, after_seq=2)
        batch = outbox.pending_batch(conn, 7, after_seq=2)
        everything = outbox.pending_batch(conn, 10**6), outbox.pending(conn, 10**6)
    assert len(events) == 7 and events[0]["device_seq"] == 3
    sent = json.loads(batch.body)["events"]
    assert [WireEvent.model_validate(e) for e in sent] == [WireEvent.model_validate(e) for e in events]
    assert [e["payload"] for e in sent] == [e["payload"] for e in events]
    assert batch.events == [{k: e[k] for k in ("event_id", "device_seq", "payload_hash")} for e in events]
    body, wire = everything
    assert len(body.events) == _pending(ctx) and wire[0]["event_id"] == first and wire[1]["event_id"] == second
    assert wire[0]["member_id"] is None and wire[1]["payload"]["big"] == 2**70 and "乌龙茶" in body.body.decode()
    assert [WireEvent.model_validate(e) for e in json.loads(body.body)["events"]] == \
        [WireEvent.model_validate(e) for e in wire]


def test_a_batch_that_arrives_before_the_one_it_follows_waits_for_its_turn(hq, make_store):
    """HQ applies a device's batches in device_seq order whichever arrives first (hq_server.ledger.turns): the
    later batch waits, outside the writer lock, until the earlier one commits, and then goes in."""
    import threading
    import time
    ctx = make_store("a")
    sell(ctx, 4)
    with ctx.db.read() as conn:
        events = outbox.pending(conn, 500)
    head, tail = events[:len(events) // 2], events[len(events) // 2:]
    answers = {}
    late = threading.Thread(target=lambda: answers.update(tail=client_for(ctx.db).push(tail)))
    late.start()
    time.sleep(0.1)  # the later batch is at HQ, waiting (HQ waits up to turns.TURN_WAIT_S = 0.5 s)
    answers["head"] = client_for(ctx.db).push(head)
    late.join(10)
    seqs = {k: [a.hq_seq for a in r.answers if a.status == "ok"] for k, r in answers.items()}
    assert len(seqs["head"]) == len(head) and len(seqs["tail"]) == len(tail)
    assert max(seqs["head"]) < min(seqs["tail"]), "the later batch went in before the one it follows"
    assert answers["tail"].hq_acked_count == len(events)
    report = sync_once(ctx.db)  # the store records nothing new, and agrees with HQ's count and hash
    assert not report.handshake.full_resync
