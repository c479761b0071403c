"""A member scans a product's label with the phone (DESIGN.md 4, 10): HQ checks the label as a till
would (pos_app.domain.label_codes, against the label keys not retired), that HQ issued it as it says
(the batch's plan: label_batches.claim_problem), and that its serial never earned anywhere; then the
member earns the label's points, drawn when the batch was made (8 / 28 / 38 / 48 / 68 ...).

The earning is an ordinary `label_earn` event HQ writes (hq_events) with the tills' own points engine,
so the serial is claimed chain-wide in the same transaction (merges.label_serial: label_serials, and a
`label_claim` item every till pulls and then refuses the label with). The other way round: a label a
till credited is in label_serials once its event reached HQ, and refused here. A till that credits the
label offline after the mall did loses by merge rule 2 (the lowest hq_seq wins; HQ reverses the other).
HQ's writer lock is held from the serial's check to its claim, so two phones scanning one label at
once credit it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.label_keys import trusted_label_keys
from hq_server.ledger.key_rows import batch_plan
from hq_server.programme.label_photos import codes_in_photo
from hq_server.programme.member_standing import require_active_member
from hq_server.programme.online_points import balance, earn_entry
from hq_server.programme.rules_now import rules_now
from pos_app.domain import label_batches as LB
from pos_app.domain.codes import ProductLabel, Reason, Rejected
from pos_app.domain.label_codes import MAX_TEXT, read_label
from pos_app.domain.ledger import Kind

# why a label is refused (the till's reason) -> the code a member's page explains
_REFUSALS = {Reason.UNKNOWN_FORMAT: "not_a_label", Reason.MALFORMED: "label_damaged",
             Reason.FORGED: "label_forged", Reason.TAMPERED: "label_forged", Reason.EXPIRED: "label_forged",
             Reason.REPLAYED: "label_claimed"}


@dataclass(frozen=True)
class LabelCredit:
    serial: str
    sku: str
    product: str  # the product's name as the batch printed it
    points: int
    event_id: str
    at: datetime
    balance: int  # the member's consumer points after it


def scan_label(db: Database, member_id: str, text: str, now: datetime) -> LabelCredit:
    """Credit the member the points of the label `text` (a scanned code's text), or refuse and change nothing."""
    if not isinstance(text, str) or not text.strip():
        raise HQProblem(422, "label_unreadable", "no code was read from the label")
    if len(text) > MAX_TEXT:
        raise HQProblem(422, "not_a_label", "this is not a product label")
    with db.read() as conn:
        keys = trusted_label_keys(conn)
    label = read_label(text, keys.get)
    if isinstance(label, Rejected):
        raise HQProblem(422, _REFUSALS[label.reason], label.message)
    with db.write() as (conn, seq):
        require_active_member(conn, member_id)
        plan = _issued(conn, label)
        _unclaimed(conn, label.serial, member_id)
        rules = rules_now(conn, now)
        entry = earn_entry(conn, Kind.LABEL_EARN, member_id, label.points, now=now, rules=rules, payload={
            "serial": label.serial, "sku": label.sku, "batch": label.batch, "channel": "mall"})
        written = hq_events.write(conn, seq, db.url, [entry], staff_id=None, rule_version=rules.version, now=now)[0]
        points_now = balance(conn, member_id)
    return LabelCredit(label.serial, label.sku, plan.name, label.points, written.event_id, now, points_now)


def scan_label_photo(db: Database, member_id: str, photo: bytes, now: datetime) -> LabelCredit:
    """The same, from a photo of the label: its codes read at HQ (label_photos), a label's first."""
    texts = codes_in_photo(photo)
    if not texts:
        raise HQProblem(422, "label_unreadable", "no code could be read in the photo")
    labels = [t for t in texts if t.strip()[:6].upper() == "PM1:L:"]
    return scan_label(db, member_id, (labels or texts)[0], now)


def label_credit(db: Database, member_id: str, serial: str) -> LabelCredit | None:
    """The member's own credit of the label `serial` (the page shown after a scan), or None."""
    ls, e = M.label_serials.c, M.events.c
    with db.read() as conn:
        row = conn.execute(select(ls.serial, ls.points, ls.event_id, ls.member_id, e.device_time, e.payload)
                           .join_from(M.label_serials, M.events, e.event_id == ls.event_id)
                           .where(ls.serial == serial[:40])).first()
        if row is None or row.member_id != member_id:
            return None
        split = serial.split("-", 1)[0]
        plan = batch_plan(conn, split)
        points_now = balance(conn, member_id)
    sku = plan.sku if plan else ""
    return LabelCredit(row.serial, sku, plan.name if plan else sku, int(row.points), row.event_id, row.device_time,
                       points_now)


def _issued(conn: Connection, label: ProductLabel) -> LB.BatchPlan:
    """The batch HQ made the label in, the label being in it as it says (signed by HQ's key and not in
    HQ's records: a batch lost from HQ's database; refused rather than credited unseen)."""
    plans: dict[str, LB.BatchPlan | None] = {}

    def plan_of(code: str) -> LB.BatchPlan | None:
        if code not in plans:
            plans[code] = batch_plan(conn, code)
        return plans[code]

    problem = LB.claim_problem(label.serial, label.sku, label.points, plan_of)
    if problem:
        raise HQProblem(422, "label_unissued", problem)
    plan = plans[label.batch]
    assert plan is not None  # claim_problem found no problem: the label's batch was issued
    return plan


def _unclaimed(conn: Connection, serial: str, member_id: str) -> None:
    ls, e = M.label_serials.c, M.events.c
    first = conn.execute(select(ls.member_id, ls.store_id, e.device_time)
                         .join_from(M.label_serials, M.events, e.event_id == ls.event_id)
                         .where(ls.serial == serial)).first()
    if first is None:
        return
    when = f"{first.device_time:%Y-%m-%d %H:%M}"
    if first.member_id == member_id:
        raise HQProblem(409, "label_yours", f"this label already earned you its points on {when} (UTC)")
    raise HQProblem(409, "label_claimed", f"this label already earned its points on {when} (UTC), "
                                          f"{'in the mall' if first.store_id == M.HQ_ORIGIN else 'at a store'}")
