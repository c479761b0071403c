"""DESIGN.md section 6's merge rules, applied as each event reaches HQ's ledger.

Each decision is a row in `conflicts` naming the events it made; HQ's corrections
carry ids derived from the event they correct (ingest.correction_id), so running a
merge twice posts nothing new.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from hq_server import bulk
from hq_server import models as M
from hq_server.ledger.checks import Parsed
from pos_app.domain import entries as E
from pos_app.domain import label_batches as LB
from pos_app.domain import ledger as L
from pos_app.domain.ledger import Kind, canonical_json, is_holder_account
from pos_app.domain.money import mul_div_floor
from pos_app.domain.rules import DEFAULT_EXPIRY_DAYS, Rules, parse_rules

if TYPE_CHECKING:
    from hq_server.ledger.ingest import Ingest

PROFILE_FIELDS = ("name", "phone", "birthday", "note", "tier", "pin_hash")


# --- rule 1: double spend ---------------------------------------------------------------

def double_spend(ing: Ingest, row: dict, accounts: set[str]) -> None:
    """A holder account below zero: the goods were handed over, so the excess becomes the member's debt."""
    if row["kind"] in GIVE_BACK_KINDS and row["status"] != "correction":
        give_back_beyond_lots(ing, row)
    for account, balance in sorted(ing.book.negative_holders(accounts).items()):
        owner = account.split(":")[1]
        short = -balance
        cid = ing.correct(row, f"debt:{account}", Kind.ADJUST,
                          {"purpose": "double_spend_debt", "account": account, "points": short},
                          [(account, short), (L.debt_account(owner), -short)],
                          member_id=owner if account.startswith("member:") else None)
        if cid is None:
            continue
        ing.conflict(1, "double_spend", row, {"account": account, "debt_added": short}, [cid], member_id=owner,
                     tag=f"debt:{account}")
        if account.startswith("member:"):
            ing.conn.execute(update(M.members).where(M.members.c.member_id == owner)
                             .values(risk_flag=f"double_spend: {short} points owed (event {row['event_id']})"))
            _member_item(ing, owner)


def repay_from_earning(ing: Ingest, row: dict, parsed: Parsed) -> None:
    """Rule 1: later earnings repay the member's debt first. A store that had not pulled the debt when
    it recorded an earning credited the member in full; HQ then takes what is owed back out of the lot
    the earning granted, into the debt account (a correction the store pulls)."""
    if row["status"] == "correction":
        return
    for lot_id, account, *_ in parsed.grants:
        if not account.startswith("member:"):
            continue
        owner = account.split(":")[1]
        debt = L.debt_account(owner)
        lot = ing.book.lot(lot_id)
        repay = min(-ing.book.balance(debt), lot.remaining if lot is not None else 0, ing.book.balance(account))
        if repay <= 0:
            continue
        cid = ing.correct(row, f"repay:{lot_id}", Kind.ADJUST,
                          {"purpose": "debt_repaid_from_earning", "account": account, "points": repay},
                          [(account, -repay), (debt, repay)], takes=(L.LotTake(lot_id, repay),), member_id=owner)
        if cid is not None:
            ing.conflict(1, "debt_repaid", row, {"account": account, "debt_repaid": repay}, [cid], member_id=owner,
                         tag=f"repay:{lot_id}")


def debt_overpaid(ing: Ingest, row: dict, accounts: set[str]) -> None:
    """Rule 8 (docs/design-additions.md, section 6): a debt account above zero goes back to the member.

    Each till repays a member's debt out of new earnings (or give-backs) from its own view of it; two
    tills repaying the same debt before they sync both reach HQ, and the second repayment overshoots.
    The overshoot is the member's points: HQ moves it out of the debt account into the member's
    consumer account as a new lot, spendable at once and expiring as a lot the overshooting event
    earned would (its skew-corrected time plus the expiry days of the rules it used). Ids derive from
    the event, so running the merge again posts nothing new.
    """
    for debt in sorted(a for a in accounts if a.startswith("debt:")):
        over = ing.book.balance(debt)
        if over <= 0:
            continue
        owner = debt.split(":", 1)[1]
        account = L.member_account(owner)
        grant = L.LotGrant(correction_id(row["event_id"], f"lot:overpaid:{debt}"), account, over, ing.now,
                           _earned_lot_expiry(ing, row))
        cid = ing.correct(row, f"overpaid:{debt}", Kind.ADJUST,
                          {"purpose": "debt_overpaid", "account": account, "points": over},
                          [(debt, -over), (account, over)], grants=(grant,), member_id=owner)
        if cid is not None:
            ing.conflict(1, "debt_overpaid", row, {"account": account, "points": over, "lot_id": grant.lot_id},
                         [cid], member_id=owner, tag=f"overpaid:{debt}")


def _earned_lot_expiry(ing: Ingest, row: dict):
    """When a lot earned by the row's event expires: its skew-corrected time plus the expiry days of the
    rules version it used (HQ's latest rules when HQ holds no such version, the default without rules)."""
    rows = ing.rules()
    rules = _rules(rows, row["rule_version"]) or (_rules(rows, rows[-1].version) if rows else None)
    days = rules.expiry_days if rules is not None else DEFAULT_EXPIRY_DAYS
    return row["device_time"] + timedelta(seconds=ing.skew_s, days=days)


def lots_differ(ing: Ingest, row: dict, accounts: set[str]) -> None:
    """Rule 9 (docs/design-additions.md, section 6): lots converge lot by lot, not only in sum.

    HQ took (or gave back) some of the event's points from other lots than the event names: a shortfall
    covered in HQ's order of arrival, which a till that applied the events in another order covered from
    other lots, its balance still HQ's. Every store holding the member (all its tills, the event's own
    too) is told, and fetches the member's lots again (pos_app.sync.lookup.mend_drift). Once a push per
    member and store."""
    for account in sorted(accounts):
        if not account.startswith("member:"):
            continue
        member_id = account.split(":")[1]
        doc = {"member_id": member_id, "event_id": row["event_id"], "hq_seq": row["hq_seq"]}
        for store_id in sorted(ing.followers(member_id) - {M.HQ_ORIGIN}):
            if (member_id, store_id) not in ing.lots_told:
                ing.lots_told.add((member_id, store_id))
                ing.feed.add(store_id, "lots_differ", member_id, doc)


GIVE_BACK_KINDS = (Kind.REVERSE, Kind.REDEEM_VOID)


def give_back_beyond_lots(ing: Ingest, row: dict) -> None:
    """Points given back (a cancelled gift, a refunded points-paid line) that none of the account's lots has room for.

    A give-back undoes a take. After a double spend part of that take was never taken from a lot: the
    member's debt covered it (the correction above added lot-less points). So when both gifts come back,
    the lots cannot hold all the points returned (Book.take keeps each lot within its grant, Book.give_any
    fills the account's other lots): they repay that debt first (rule 1), and what is left (the debt was
    repaid meanwhile by later earnings, which then granted no lot for it) becomes a lot of its own. Without
    this the balance kept points no lot held, and the debt stayed although nothing was owed any more.
    """
    payload = json.loads(row["payload"])
    backs = [(str(lot_id), int(n)) for lot_id, n in payload.get("lots", []) if int(n) < 0]
    by_account: dict[str, str] = {}
    for lot_id, _ in backs:
        lot = ing.book.lot(lot_id)
        if lot is not None and is_holder_account(lot.account):
            by_account.setdefault(lot.account, lot_id)
    for account, first_lot in sorted(by_account.items()):
        over = ing.book.balance(account) - sum(lot.remaining for lot in ing.book.lots_of(account))
        if over <= 0:
            continue
        owner = account.split(":")[1]
        debt = L.debt_account(owner)
        repay = max(0, min(over, -ing.book.balance(debt)))
        grants = ()
        if over > repay:
            expires_at = ing.book.lot(first_lot).expires_at
            grants = (L.LotGrant(correction_id(row["event_id"], f"lot:give_back:{account}"), account, over - repay,
                                 ing.now, expires_at),)
        postings = [(account, -repay), (debt, repay)] if repay else []
        cid = ing.correct(row, f"give_back:{account}", Kind.ADJUST,
                          {"purpose": "give_back_beyond_lots", "account": account, "points": over,
                           "debt_repaid": repay}, postings, grants=grants,
                          member_id=owner if account.startswith("member:") else None)
        if cid is not None:
            ing.conflict(1, "give_back_repays_debt" if repay else "give_back_new_lot", row,
                         {"account": account, "points": over, "debt_repaid": repay}, [cid], member_id=owner,
                         tag=f"give_back:{account}")


# --- rule 2: a label serial earns once, chain-wide ----------------------------------------

def _preload_once_keys(ing: Ingest, cache: dict, key, keys: list) -> None:
    """The rows of key's table for the keys not in `cache` yet, into it (None: HQ holds no row)."""
    want = sorted({k for k in keys if isinstance(k, str)} - set(cache))
    for k in want:
        cache[k] = None
    for where in bulk.where_in(ing.conn, key, want):
        for r in ing.conn.execute(select(key.table).where(where)):
            cache[r._mapping[key.name]] = dict(r._mapping)


def preload_serials(ing: Ingest, serials: list) -> None:
    _preload_once_keys(ing, ing.serials, M.label_serials.c.serial, serials)


def label_serial(ing: Ingest, row: dict, payload: dict, parsed: Parsed) -> None:
    serial = payload["serial"]
    if serial not in ing.serials:
        preload_serials(ing, [serial])
    first = ing.serials[serial]
    points = int(payload.get("points", 0))
    if first is None:
        ing.serials[serial] = {"serial": serial, "event_id": row["event_id"], "store_id": row["store_id"],
                               "member_id": row["member_id"], "points": points, "hq_seq": row["hq_seq"], "new": True}
        ing.feed.add(M.CHAIN, "label_claim", serial, {"serial": serial, "sku": payload.get("sku"), "points": points,
                                                       "member_id": row["member_id"], "event_id": row["event_id"],
                                                       "store_id": row["store_id"]})
        credited = LB.label_credit(parsed.postings, row["member_id"], row["store_id"])
        if credited is None or credited != points:
            unissued = f"the event's postings do not credit the member the label's {points} points"
        else:
            unissued = LB.claim_problem(serial, payload.get("sku"), credited, ing.label_plan)
        if unissued:
            # Not one of HQ's labels as claimed: kept and flagged, never reversed on HQ's own say-so (the
            # points are already the member's); an open task for HQ, who can adjust the member.
            _flag(ing, row, 2, "label_unverified", {"serial": serial, "reason": unissued}, reason=unissued,
                  status="open")
        return
    # The lowest hq_seq won; this one stays on record as duplicate_serial and HQ takes its points back.
    row["status"] = "duplicate_serial"
    ing.status_updates[row["event_id"]] = "duplicate_serial"
    member_id = row["member_id"]
    account = L.member_account(member_id)
    first_lot = parsed.grants[0][0] if parsed.grants else None
    entry = E.reverse_earned(account=account, debt_acct=L.debt_account(member_id), points=points,
                             lots=[lot.as_lot() for lot in ing.book.lots_of(account)], first_lot=first_lot,
                             sink=L.store_issued(row["store_id"]), now=ing.now,
                             payload={"purpose": "duplicate_serial", "serial": serial, "winner": first["event_id"]},
                             member_id=member_id)
    cid = ing.correct(row, "duplicate_serial", entry.kind, entry.payload, [(p.account, p.amount) for p in entry.postings],
                      takes=entry.takes, member_id=member_id)
    ing.conflict(2, "duplicate_serial", row, {"serial": serial, "winner": first["event_id"],
                                              "winner_store": first["store_id"], "points": points}, [cid])
    ing.event_status(row, "duplicate_serial", f"label {serial} was already claimed (event {first['event_id']}); "
                                              f"its {points} points are reversed", corrections=[cid])


# --- rule 3: a rule changed while the store was offline -----------------------------------

def stale_rule(ing: Ingest, row: dict, payload: dict) -> None:
    rules = ing.rules()
    if not rules:
        return
    when = row["device_time"] + timedelta(seconds=ing.skew_s)
    used = row["rule_version"]
    current = [r for r in rules if r.effective_at <= when]
    if not current or current[-1].version == used:
        return
    later = [r for r in rules if r.version > used]
    if current[-1].version < used or not later:
        _flag(ing, row, 3, "rule_not_yet_effective", {"used": used, "current": current[-1].version})
        return
    superseded_at = later[0].effective_at
    grace = timedelta(hours=ing.limits()["max_offline_hours"])
    if when - superseded_at <= grace:
        ing.conflict(3, "rule_within_grace", row, {"used": used, "current": current[-1].version,
                                                   "superseded_at": superseded_at.isoformat()})
        return
    if row["kind"] != Kind.EARN or not isinstance(payload.get("paid_fen"), int) or not row["member_id"]:
        _flag(ing, row, 3, "stale_rule", {"used": used, "current": current[-1].version})
        return
    # HQ re-rates the sale's base points on what was paid; the difference is an adjustment.
    old, new = _rules(rules, used), _rules(rules, current[-1].version)
    if old is None or new is None:
        return
    diff = _base(new, payload["paid_fen"]) - _base(old, payload["paid_fen"])
    member_id = row["member_id"]
    account = L.member_account(member_id)
    made = None
    if diff > 0:
        entry = E.credit(Kind.ADJUST, account=account, points=diff, source=L.store_issued(row["store_id"]),
                         debt_acct=L.debt_account(member_id), owed=-ing.book.balance(L.debt_account(member_id)),
                         lot_id=_lot_id(row, "stale_rule"), now=ing.now, rules=new,
                         payload={"purpose": "stale_rule", "used": used, "current": new.version},
                         member_id=member_id, lock=False)
        made = ing.correct(row, "stale_rule", entry.kind, entry.payload, [(p.account, p.amount) for p in entry.postings],
                           grants=entry.grants, member_id=member_id)
    elif diff < 0:
        entry = E.reverse_earned(account=account, debt_acct=L.debt_account(member_id), points=-diff,
                                 lots=[lot.as_lot() for lot in ing.book.lots_of(account)], first_lot=None,
                                 sink=L.store_issued(row["store_id"]), now=ing.now,
                                 payload={"purpose": "stale_rule", "used": used, "current": new.version},
                                 member_id=member_id)
        made = ing.correct(row, "stale_rule", Kind.ADJUST, entry.payload,
                           [(p.account, p.amount) for p in entry.postings], takes=entry.takes, member_id=member_id)
    ing.conflict(3, "stale_rule", row, {"used": used, "current": new.version, "points_diff": diff}, [made])


def _rules(rows, version: int) -> Rules | None:
    for r in rows:
        if r.version == version:
            parsed = parse_rules(json.loads(r.doc))
            return parsed if isinstance(parsed, Rules) else None
    return None


def _base(rules: Rules, paid_fen: int) -> int:
    return mul_div_floor(paid_fen, rules.base_points, rules.base_per_fen)


def _lot_id(row: dict, tag: str) -> str:
    return correction_id(row["event_id"], f"lot:{tag}")


def correction_id(event_id: str, tag: str) -> str:
    from hq_server.ledger.ingest import correction_id as cid
    return cid(event_id, tag)


# --- rule 4: clock skew --------------------------------------------------------------------

SKEW_FLAG_S = 300  # seconds: a device clock further off than this, or an event dated this far ahead, is flagged
_SKEW_FLAG = timedelta(seconds=SKEW_FLAG_S)


def clock(ing: Ingest, row: dict) -> None:
    """Flag, never drop: a device clock far off, or an event dated in HQ's future."""
    if abs(ing.skew_s) > SKEW_FLAG_S:
        _flag(ing, row, 4, "clock_skew", {"skew_s": ing.skew_s})
    elif row["device_time"] + timedelta(seconds=ing.skew_s) > ing.now + _SKEW_FLAG:
        _flag(ing, row, 4, "future_time", {"device_time": row["device_time"].isoformat()})


def _flag(ing: Ingest, row: dict, rule: int, flag: str, detail: dict, *, reason: str | None = None,
          status: str = "resolved") -> None:
    """Kept, flagged and told to the till; `status` "open" leaves HQ a task (GET /admin/conflicts)."""
    row["flags"] = ",".join(filter(None, [row["flags"], flag]))
    ing.conflict(rule, flag, row, detail, status=status)
    ing.event_status(row, "flagged", reason or flag.replace("_", " "), flags=row["flags"])


# --- rule 5: a reversal (or any take) waits for the lot it takes from -----------------------

def wait(ing: Ingest, row: dict, lots: list[str]) -> None:
    """The event waits for lots HQ has not seen, or (a give-back) for the take it undoes from a lot."""
    row["status"] = "waiting"
    ing.wait_on(row["event_id"], lots)
    ing.conflict(5, "waiting_for_original", row, {"lots": lots}, status="open", tag="waiting")
    unknown = [lot_id for lot_id in lots if ing.book.lot(lot_id) is None]
    ing.event_status(row, "waiting", "waits for the event that earned the points it takes back" if unknown else
                     "gives points back to a lot before HQ has the take it undoes; waits for it")


def wake(ing: Ingest, event_id: str) -> None:
    if event_id in ing.waiting_done:
        return  # already woken and applied by this transaction
    row = ing.rows.get(event_id)
    if row is None:
        r = ing.conn.execute(select(M.events).where(M.events.c.event_id == event_id)).first()
        if r is None or r.status != "waiting":
            return
        row = dict(r._mapping)
    elif row["status"] != "waiting":
        return
    payload = json.loads(row["payload"])
    from hq_server.ledger.checks import parse as _parse
    from pos_app.sync.wire import WireEvent
    parsed = _parse(WireEvent.model_validate({k: row[k] for k in (
        "event_id", "kind", "store_id", "device_id", "device_seq", "device_time", "staff_id", "rule_version",
        "member_id", "payload_hash")} | {"payload": payload}), row["store_id"])
    if isinstance(parsed, str):
        return
    blocked = ing.blocked(row, parsed)
    if blocked:
        ing.wait_on(event_id, blocked)  # still waiting (for another lot, or for room in one)
        return
    from hq_server.ledger.authority import refused_when_woken
    if refused_when_woken(ing, row, parsed):  # its lot is another holder's (a till's authority)
        return
    row["status"] = "applied"
    ing.status_updates[event_id] = "applied"
    ing.waiting_done.add(event_id)
    ing.apply(row, payload, parsed)
    ing.conflict(5, "original_arrived", row, {"applied_at_hq_seq": ing.seq.last}, tag="woken")
    _close_waiting_task(ing, row)
    ing.event_status(row, "applied", "its original arrived; applied")


def _close_waiting_task(ing: Ingest, row: dict, note: str | None = None) -> None:
    """HQ closes the event's waiting_for_original task (opened by wait) as the admin's resolve closes a
    task: status resolved, and who, when and what (`note`, by default that it was applied) in its
    detail's resolution."""
    from hq_server.ledger.ingest import conflict_id  # ingest imports this module
    task_id = conflict_id(row["event_id"], "waiting")  # the task wait opened
    resolution = {"by": "hq", "at": ing.now.isoformat(),
                  "note": note or f"its original arrived; applied at hq_seq {ing.seq.last}"}
    for task in ing.conflicts:  # opened by this transaction, not stored yet
        if task["conflict_id"] == task_id and task["status"] == "open":
            task["status"] = "resolved"
            task["detail"] = canonical_json({**json.loads(task["detail"]), "resolution": resolution})
            return
    c = M.conflicts.c
    task = ing.conn.execute(select(c.detail).where(c.conflict_id == task_id, c.status == "open")).first()
    if task is not None:
        ing.conn.execute(update(M.conflicts).where(c.conflict_id == task_id, c.status == "open").values(
            status="resolved", detail=canonical_json({**json.loads(task.detail), "resolution": resolution})))


# --- rule 6: members edited in two places ---------------------------------------------------

PATCH_KINDS = (Kind.MEMBER_PATCH, Kind.TIER_CHANGE)


def member_event(ing: Ingest, row: dict, payload: dict) -> None:
    kind, member_id = row["kind"], row["member_id"]
    m = M.members.c
    if kind == Kind.MEMBER_REGISTER:
        exists = ing.conn.execute(select(m.member_id).where(m.member_id == member_id)).first()
        if exists is None:
            ing.conn.execute(M.members.insert().values(
                member_id=member_id, phone=str(payload.get("phone", "")), name=str(payload.get("name", "")),
                tier=str(payload.get("tier") or "basic"), card_no=str(payload.get("card_no", "")),
                referral_code=payload.get("referral_code"), referred_by=payload.get("referred_by"),
                home_store=str(payload.get("home_store") or row["store_id"]), created_at=row["device_time"],
                pin_hash=payload.get("pin_hash"), updated_seq=row["hq_seq"],
                risk_flag=_debt_flag(ing, member_id)))
        _same_phone(ing, row, member_id, str(payload.get("phone", "")))
        if exists is None:
            _replay_early_patches(ing, row)
    elif kind in PATCH_KINDS:
        _patch(ing, row, payload, row["hq_seq"])
    _member_item(ing, member_id)


def _debt_flag(ing: Ingest, member_id: str) -> str | None:
    """A member registered after a double spend of theirs reached HQ (rule 1 found no record to flag
    then): the record starts flagged with what is owed."""
    owed = -ing.book.balance(L.debt_account(member_id))
    return f"double_spend: {owed} points owed (before the member's record reached HQ)" if owed > 0 else None


def _patch(ing: Ingest, row: dict, payload: dict, updated_seq: int) -> None:
    """One member_patch (or tier_change) over HQ's record of the member; nothing while HQ has no record
    (the patch is kept, and the register replays it: _replay_early_patches)."""
    m = M.members.c
    member_id = row["member_id"]
    fields = payload.get("fields", {}) if row["kind"] == Kind.MEMBER_PATCH else {"tier": payload.get("to")}
    current = ing.conn.execute(select(M.members).where(m.member_id == member_id)).first()
    if current is None or not isinstance(fields, dict):
        return
    # Per-field last writer by hq_seq: patches reach this line in hq_seq order (after the register).
    values = {k: v for k, v in fields.items() if k in PROFILE_FIELDS and k not in ("birthday", "note")
              and isinstance(v, str)}
    extra = json.loads(current.extra or "{}")
    extra.update({k: v for k, v in fields.items() if k in ("birthday", "note")})
    ing.conn.execute(update(M.members).where(m.member_id == member_id)
                     .values(**values, extra=json.dumps(extra, ensure_ascii=False), updated_seq=updated_seq))
    if "phone" in values:
        _same_phone(ing, row, member_id, values["phone"])


def _replay_early_patches(ing: Ingest, register: dict) -> None:
    """Patches of the member that reached HQ before its register (a reordered push, or another store
    syncing first) found no record and changed nothing: they are applied now over the registered
    record, in hq_seq order, as if they had arrived after it. So per field the last patch by hq_seq
    wins, and the record is the one the in-order arrival makes, whatever the order."""
    e = M.events.c
    member_id, upto = register["member_id"], register["hq_seq"]
    early = {r.event_id: dict(r._mapping) for r in ing.conn.execute(
        select(e.event_id, e.hq_seq, e.kind, e.store_id, e.member_id, e.payload, e.status)
        .where(e.member_id == member_id, e.kind.in_([str(k) for k in PATCH_KINDS])))}
    early.update({i: r for i, r in ing.rows.items() if r["member_id"] == member_id and r["kind"] in PATCH_KINDS
                  and r["hq_seq"] < upto})  # this push's, not stored yet (later ones are applied after this)
    for row in sorted(early.values(), key=lambda r: r["hq_seq"]):
        if row["status"] == "applied":
            _patch(ing, row, json.loads(row["payload"]), upto)


def _same_phone(ing: Ingest, row: dict, member_id: str, phone: str) -> None:
    m = M.members.c
    others = ing.conn.execute(select(m.member_id).where(m.phone == phone, m.member_id != member_id,
                                                        m.merged_into.is_(None))).scalars().all()
    for other in others:
        ing.conflict(6, "same_phone", row, {"phone": phone, "members": sorted([member_id, other])}, status="open",
                     tag=f"same_phone:{other}")


def _member_item(ing: Ingest, member_id: str) -> None:
    doc = member_doc(ing.conn, member_id)
    if doc:
        ing.feed.to_stores(ing.followers(member_id), "member", member_id, doc)


def member_doc(conn, member_id: str) -> dict | None:
    r = conn.execute(select(M.members).where(M.members.c.member_id == member_id)).first()
    if r is None:
        return None
    d = {k: v for k, v in r._mapping.items() if k not in ("extra", "updated_seq")}
    d["created_at"] = r.created_at.isoformat()
    d.update(json.loads(r.extra or "{}"))
    d["hq_seq"] = r.updated_seq
    return d


def preload_codes(ing: Ingest, codes: list) -> None:
    _preload_once_keys(ing, ing.codes, M.member_codes.c.code_key, codes)


def member_code(ing: Ingest, row: dict, code: str) -> None:
    """A member's dynamic code proves them present for one spend, chain-wide. A till refuses a code it
    has seen, but another till has not seen it: the same code (a photo of the phone's screen) used
    for a second spend is kept and flagged, an open task for HQ (the goods were handed over)."""
    if code not in ing.codes:
        preload_codes(ing, [code])
    first = ing.codes[code]
    if first is None:
        ing.codes[code] = {"code_key": code[:80], "event_id": row["event_id"], "store_id": row["store_id"],
                           "hq_seq": row["hq_seq"], "new": True}
        return
    if first["event_id"] == row["event_id"]:
        return
    _flag(ing, row, 1, "member_code_reused", {"code": code, "first_event": first["event_id"],
                                              "first_store": first["store_id"]},
          reason=f"the member's code {code} was used before, for event {first['event_id']} at store "
                 f"{first['store_id']}", status="open")


SPEND_KINDS = (Kind.REDEEM_POST, Kind.REDEEM_HOLD)


def after_apply(ing: Ingest, row: dict, payload: dict, parsed: Parsed) -> None:
    kind = row["kind"]
    code = payload.get("member_code")
    if kind in SPEND_KINDS and isinstance(code, str) and code.startswith("D:"):
        member_code(ing, row, code)
    if kind == Kind.LABEL_EARN:
        label_serial(ing, row, payload, parsed)
    elif kind in (Kind.MEMBER_REGISTER, Kind.MEMBER_PATCH, Kind.TIER_CHANGE):
        member_event(ing, row, payload)
    if kind == Kind.EARN:
        stale_rule(ing, row, payload)
