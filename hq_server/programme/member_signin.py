"""A member signs in to the mall with their phone and an SMS code: one use case for three cases.

- A phone HQ knows (a member registered at a counter, or in the mall before): the member claims their
  account; their points, tier and history are there already.
- A phone HQ does not know: a new member, registered by HQ's own `member_register` event (DESIGN.md
  10), with the tills' rules: card number and referral code derived from the id, the lowest tier, an
  optional referrer by their referral code. Tills that look the member up get the record like any other.
- Either way the code is used up and a session opened, in the same transaction.

Two records with one phone (two tills registered the same person offline: a same-phone merge task for
HQ's staff) sign in to the older one; the merge, once staff decide it, carries the session over
(member_sessions.current_member).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database, Seq
from hq_server.errors import HQProblem
from hq_server.programme.mall_settings import MallSettings
from hq_server.programme.member_sessions import open_session
from hq_server.programme.rules_now import rules_now
from hq_server.programme.sms import CodeCheck, clean_code, clean_phone
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.members import card_no_for, check_name, referral_code_for
from pos_app.domain.tiers import lowest


@dataclass(frozen=True)
class SignedIn:
    member_id: str
    token: str
    registered: bool  # a new member (False: an account claimed or signed in again)


def sign_in(db: Database, mall: MallSettings, check: CodeCheck, *, phone: str, code: str, address: str,
            now: datetime, referral_code: str | None = None, name: str | None = None) -> SignedIn:
    phone, code = clean_phone(phone), clean_code(code)
    name = (name or "").strip() or None
    if name and check_name(name):
        raise HQProblem(422, "invalid_name", check_name(name)[0].message)
    referral_code = (referral_code or "").strip().upper() or None
    check.refuse_if_throttled(db, phone, address, now)
    with db.write() as (conn, seq):
        why = check.take(conn, db.url, phone, code, now)
        if why is None:
            member_id = member_by_phone(conn, phone)
            registered = member_id is None
            if member_id is None:
                member_id = _register(conn, seq, db.url, phone, name, referral_code, now)
            token = open_session(conn, member_id, address, now, mall.session_days)
            return SignedIn(member_id, token, registered)
    raise check.failed(db, phone, address, why, now)


def member_by_phone(conn: Connection, phone: str) -> str | None:
    m = M.members.c
    return conn.execute(select(m.member_id).where(m.phone == phone, m.merged_into.is_(None))
                        .order_by(m.created_at, m.member_id).limit(1)).scalar()


def _register(conn: Connection, seq: Seq, db_url: str, phone: str, name: str | None, referral_code: str | None,
              now: datetime) -> str:
    referrer = None
    if referral_code:
        m = M.members.c
        referrer = conn.execute(select(m.member_id).where(m.referral_code == referral_code,
                                                          m.merged_into.is_(None))).scalar()
        if referrer is None:
            raise HQProblem(422, "referrer_unknown", f"no member has the invitation code {referral_code[:12]}: "
                                                     "check it, or leave it empty")
    rules = rules_now(conn, now)
    member_id = new_id()
    doc = {"member_id": member_id, "phone": phone, "name": name or f"会员{phone[-4:]}",
           "tier": lowest(rules.tiers).code, "card_no": card_no_for(member_id),
           "referral_code": referral_code_for(member_id), "referred_by": referrer, "home_store": M.HQ_ORIGIN,
           "created_at": now.isoformat(), "pin_hash": None}
    hq_events.write(conn, seq, db_url, [Entry(Kind.MEMBER_REGISTER, doc, member_id=member_id)], staff_id=None,
                    rule_version=rules.version, now=now)
    return member_id
