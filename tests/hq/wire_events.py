"""A fake store device for HQ tests: builds wire events the way the store's ledger does
(pos_app.domain.entries + the payload layout of pos_app/store/ledger_repo.record) and
pushes them over HTTP."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone

import httpx

from pos_app.domain import entries as E
from pos_app.domain import ledger as L
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind, payload_hash, wire_payload
from pos_app.domain.members import card_no_for, referral_code_for
from pos_app.domain.rules import Rules
from pos_app.sync.wire import EMPTY_HASH, roll_hash

RULES = Rules(version=1, expiry_days=365)


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class FakeDevice:
    def __init__(self, hq, store_id: str, name: str = "till-1"):
        self.hq = hq
        self.store_id = store_id
        self.creds = hq.enrol(store_id, name)
        self.device_id = self.creds["device_id"]
        self.client = httpx.Client(base_url=hq.url, headers=hq.auth(self.creds), timeout=60)
        self.seq = 0
        self.acked: dict[int, tuple[str, str]] = {}  # device_seq -> (event_id, payload_hash)
        self.clock_offset = timedelta(0)

    def close(self) -> None:
        self.client.close()

    # --- building ------------------------------------------------------------------
    def event(self, entry: Entry, *, rule_version: int = 1, at: datetime | None = None, staff_id: str = "staff-1",
              **override) -> dict:
        self.seq += 1
        payload = wire_payload(entry)
        ev = {"event_id": new_id(), "kind": str(entry.kind), "store_id": self.store_id, "device_id": self.device_id,
              "device_seq": self.seq, "device_time": (at or now() + self.clock_offset).isoformat(),
              "staff_id": staff_id, "rule_version": rule_version, "member_id": entry.member_id,
              "payload": payload, "payload_hash": payload_hash(payload)}
        ev.update(override)
        return ev

    def register(self, member_id: str, phone: str, name: str = "Test Member") -> dict:
        doc = {"member_id": member_id, "phone": phone, "name": name, "tier": "basic", "card_no": card_no_for(member_id),
               "referral_code": referral_code_for(member_id), "referred_by": None, "home_store": self.store_id,
               "created_at": now().isoformat(), "pin_hash": None}
        return self.event(Entry(Kind.MEMBER_REGISTER, doc, member_id=member_id))

    def patch(self, member_id: str, **fields) -> dict:
        return self.event(Entry(Kind.MEMBER_PATCH, {"member_id": member_id, "fields": fields}, member_id=member_id))

    def earn(self, member_id: str, points: int, *, owed: int = 0, lot_id: str | None = None, kind=Kind.EARN,
             payload: dict | None = None, **kw) -> dict:
        entry = E.earn(kind, member_id=member_id, points=points, store_id=self.store_id, owed=owed,
                       lot_id=lot_id or new_id(), now=now(), rules=RULES, payload=payload or {"sale_id": new_id()})
        return self.event(entry, **kw)

    def label_earn(self, member_id: str, serial: str, points: int) -> dict:
        return self.earn(member_id, points, kind=Kind.LABEL_EARN, payload={"serial": serial, "sku": "TEA", "batch": "B"})

    def spend(self, member_id: str, points: int, lots: list[tuple[str, int]]) -> dict:
        """Points out of the member by the given lots (the store's own view of them)."""
        from pos_app.domain.lots import Lot
        far = now() + timedelta(days=300)
        entry = E.spend(Kind.REDEEM_POST, member_id=member_id,
                        lots=[Lot(i, L.member_account(member_id), n, now() - timedelta(days=1), far) for i, n in lots],
                        points=points, to_account=L.store_redeemed(self.store_id), now=now(),
                        payload={"purpose": "gift"})
        return self.event(entry)

    @staticmethod
    def lot_of(ev: dict) -> str:
        return ev["payload"]["grants"][0][0]

    # --- talking -------------------------------------------------------------------
    def push(self, events: list[dict], *, compress: bool = False) -> httpx.Response:
        body = json.dumps({"events": events}).encode()
        headers = {"Content-Type": "application/json"}
        if compress:
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        r = self.client.post("/api/v1/sync/push", content=body, headers=headers)
        if r.status_code == 200:
            by_id = {e["event_id"]: e for e in events}
            for a in r.json()["answers"]:
                if a["status"] in ("ok", "exists"):
                    e = by_id[a["event_id"]]
                    self.acked[e["device_seq"]] = (e["event_id"], e["payload_hash"])
        return r

    def acked_state(self) -> tuple[int, str]:
        h = EMPTY_HASH
        for s in sorted(self.acked):
            h = roll_hash(h, s, *self.acked[s])
        return len(self.acked), h

    def handshake(self, *, device_time: datetime | None = None, acked: tuple[int, str] | None = None) -> httpx.Response:
        count, h = acked or self.acked_state()
        return self.client.post("/api/v1/sync/handshake", json={
            "protocol_min": 1, "protocol_max": 1, "device_time": (device_time or now()).isoformat(),
            "acked_count": count, "acked_hash": h})

    def pull_all(self, after: int = 0, limit: int = 500) -> tuple[list[dict], int]:
        items = []
        while True:
            r = self.client.get("/api/v1/sync/pull", params={"after": after, "limit": limit})
            r.raise_for_status()
            doc = r.json()
            items += doc["items"]
            after = doc["cursor"]
            if not doc["more"]:
                return items, after


def take_before_its_grant(dev: FakeDevice, member_id: str) -> tuple[dict, dict]:
    """A spend from a lot pushed before the earn that grants the lot (a reordered push): HQ parks the
    spend as waiting (rule 5). Returns (earn, spend); only the spend is pushed."""
    earn = dev.earn(member_id, 50)
    spend = dev.spend(member_id, 20, [(FakeDevice.lot_of(earn), 50)])
    assert dev.push([spend]).json()["answers"][0]["status"] == "ok"
    return earn, spend
