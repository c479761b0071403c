"""A member sets or changes, in the mall, the PIN the tills ask for before a spend (DESIGN.md 4).

The PIN travels to the tills as its argon2 hash in a `member_patch` event HQ writes (DESIGN.md 10), made
with the tills' own parameters (pos_app.domain.staff.hash_pin), so a till checks it offline as any other.
Each hash and check runs through HQ's host-wide bound on hashes (hq_server.login.HashGate).

Who may: a member signed in with an SMS code within MallSettings.fresh_minutes (a forgotten PIN is
reset that way), or one who types their current PIN; wrong current PINs go to HQ's login throttle
per member (a PIN is 4 to 8 digits: it is only as strong as its lockout).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.login import HashGate
from hq_server.programme.mall_settings import MallSettings
from hq_server.programme.member_sessions import MemberSession, log_out_everywhere
from hq_server.programme.rules_now import rules_now
from hq_server.throttle import Throttle
from pos_app.domain.ledger import Entry, Kind
from pos_app.domain.staff import check_pin_format, hash_pin, verify_pin


def set_pin(db: Database, gate: HashGate, mall: MallSettings, who: MemberSession, *, new_pin: str,
            current_pin: str | None, now: datetime) -> None:
    problems = check_pin_format(new_pin)
    if problems:
        raise HQProblem(422, "invalid_pin", problems[0].message)
    throttle = Throttle(mall.pin_window_s)
    key = f"member-pin:{who.member_id}"
    m = M.members.c
    with db.read() as conn:
        stored = conn.execute(select(m.pin_hash).where(m.member_id == who.member_id)).scalar()
        throttle.refuse_if_over(conn, {key: (mall.pin_failures, "this member")}, now)
    if stored and not who.fresh(now, mall.fresh_minutes):
        if not current_pin:
            raise HQProblem(403, "pin_needs_proof", "type your current PIN, or sign in again with an SMS code "
                                                    "to set a new one")
        with gate:
            ok = verify_pin(stored, current_pin)
        if not ok:
            with db.side_write() as conn:
                throttle.record(conn, [key], now)
            raise HQProblem(403, "wrong_pin", "the current PIN is wrong")
    with gate:
        new_hash = hash_pin(new_pin)
    with db.write() as (conn, seq):
        if conn.execute(select(m.pin_hash).where(m.member_id == who.member_id)).scalar() != stored:
            raise HQProblem(409, "pin_changed_meanwhile", "the PIN was changed meanwhile: try again")
        hq_events.write(conn, seq, db.url, [Entry(Kind.MEMBER_PATCH, {"member_id": who.member_id,
                                                                      "fields": {"pin_hash": new_hash}},
                                                  member_id=who.member_id)],
                        staff_id=None, rule_version=rules_now(conn, now).version, now=now)
        throttle.forgive(conn, key)
        log_out_everywhere(conn, who.member_id, keep=who.token_hash)  # a phone that knew the old PIN is out
