"""The points game "grab the rice" in the mall (pos_app.domain.points_game holds its rules).

HQ sets the game (a settings row, `mall_game:rice`: plays a day, seconds a play, points a catch, the
most a play wins, on or off) from the console or the admin API. A play starts at HQ: a row in
game_plays (counted against the member's plays of the chain's local day, under HQ's writer lock, so
two taps at once cannot make a fourth play of three) and a signed play ticket the page sends back with
what it caught. HQ takes one result per ticket: a forged or another member's ticket is refused, a
replayed one changes nothing, and the award is what HQ counts (domain.points_game.award: no more than
could be caught in the time the play really lasted, never above the cap), whatever the page says. The
award is an ordinary `earn` event HQ writes (hq_events) with the tills' points engine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import Connection, Row, func, select, update

from hq_server import sealing
from hq_server.ledger import hq_events
from hq_server import models as M
from hq_server.db import Database
from hq_server.errors import HQProblem
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.mall_tables import game_plays
from hq_server.programme.member_standing import require_active_member
from hq_server.programme.online_points import balance, earn_entry, local_day
from hq_server.programme.domain_said import resaid
from hq_server.programme.refusals import BadField, said
from hq_server.programme.rules_now import rules_now
from pos_app.domain.ids import new_id
from pos_app.domain.ledger import Kind
from pos_app.domain.points_game import RiceGame, award, parse_rice_game

GAME = "rice"
SETTINGS_KEY = "mall_game:rice"
# The settings parser's sentences (pos_app.domain.points_game), said so the console shows them in Chinese.
SETTINGS_SHAPES = (said("%(field)s is a whole number from %(least)s to %(most)s"),
                   said("%(field)s: not a setting of the game"), said("active is true or false"),
                   said("the game's settings are a JSON object"))
TICKET_KEY = "game_ticket_key"  # settings row: the HMAC key of play tickets, sealed with HQ's secret
_TICKET = re.compile(r"^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$")
MAX_CATCHES_TEXT = 6


@dataclass(frozen=True)
class Play:
    play_id: str
    ticket: str
    seconds: int
    started_at: datetime


@dataclass(frozen=True)
class PlayResult:
    play_id: str
    catches_sent: int
    catches_counted: int
    award: int
    balance: int


@dataclass(frozen=True)
class GameDay:
    game: RiceGame
    plays_used: int
    results: list[PlayResult]  # today's finished plays, latest first

    @property
    def plays_left(self) -> int:
        return max(0, self.game.plays_per_day - self.plays_used)


# --- HQ's settings of the game -------------------------------------------------------------------
def rice_game(conn: Connection) -> RiceGame:
    value = conn.execute(select(M.settings.c.value).where(M.settings.c.key == SETTINGS_KEY)).scalar()
    parsed = parse_rice_game(json.loads(value)) if value else RiceGame()
    return parsed if isinstance(parsed, RiceGame) else RiceGame(active=False)  # a bad row plays nothing


def game_settings(db: Database) -> RiceGame:
    with db.read() as conn:
        return rice_game(conn)


def put_game_settings(db: Database, actor: Actor, doc: object, now: datetime) -> RiceGame:
    parsed = parse_rice_game(doc)
    if not isinstance(parsed, RiceGame):
        p = parsed[0]
        raise BadField(str(p.params.get("field", "game")), resaid(parsed, SETTINGS_SHAPES), code="invalid_game")
    value = json.dumps(parsed.to_doc(), sort_keys=True)
    with db.write() as (conn, _seq):
        before = rice_game(conn)
        s = M.settings.c
        if conn.execute(update(M.settings).where(s.key == SETTINGS_KEY).values(value=value)).rowcount == 0:
            conn.execute(M.settings.insert().values(key=SETTINGS_KEY, value=value))
        audit.record(conn, actor, "game.put", SETTINGS_KEY, before=before.to_doc(), after=parsed.to_doc(), at=now)
    return parsed


# --- tickets -------------------------------------------------------------------------------------
_keys: dict[str, bytes] = {}


def _ticket_key(conn: Connection, db_url: str) -> bytes:
    """Made once per HQ, kept sealed in settings, cached per process (every worker reads the same)."""
    if db_url not in _keys:
        s = M.settings.c
        sealed = conn.execute(select(s.value).where(s.key == TICKET_KEY)).scalar()
        if sealed is None:  # made under HQ's writer lock (start_play's transaction): one key, whoever is first
            sealed = sealing.seal(secrets.token_bytes(32), TICKET_KEY, db_url)
            conn.execute(M.settings.insert().values(key=TICKET_KEY, value=sealed))
        _keys[db_url] = sealing.unseal(sealed, TICKET_KEY, db_url)
    return _keys[db_url]


def _signature(key: bytes, play_id: str, member_id: str, started_at: datetime, seconds: int) -> str:
    msg = f"{GAME}|{play_id}|{member_id}|{started_at.isoformat()}|{seconds}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode().rstrip("=")


def _ticket(conn: Connection, db_url: str, row: Row[Unpack[tuple[Any, ...]]]) -> str:
    return f"{row.play_id}.{_signature(_ticket_key(conn, db_url), row.play_id, row.member_id, row.started_at, row.seconds)}"


# --- plays ---------------------------------------------------------------------------------------
def _plays_today(conn: Connection, member_id: str, now: datetime) -> int:
    g = game_plays.c
    return conn.execute(select(func.count()).where(g.member_id == member_id, g.game == GAME,
                                                   g.day == local_day(now))).scalar_one()


def game_day(db: Database, member_id: str, now: datetime) -> GameDay:
    g = game_plays.c
    with db.read() as conn:
        game = rice_game(conn)
        rows = conn.execute(select(game_plays).where(g.member_id == member_id, g.game == GAME,
                                                     g.day == local_day(now)).order_by(g.started_at.desc())).all()
    results = [PlayResult(r.play_id, r.catches_sent, r.catches_counted, r.award, 0) for r in rows
               if r.status == "finished"]
    return GameDay(game, len(rows), results)


def start_play(db: Database, member_id: str, now: datetime) -> Play:
    with db.write() as (conn, _seq):
        require_active_member(conn, member_id)
        game = rice_game(conn)
        if not game.active:
            raise HQProblem(409, "game_closed", "the game is closed just now")
        if _plays_today(conn, member_id, now) >= game.plays_per_day:
            raise HQProblem(409, "no_plays_left", f"{game.plays_per_day} plays a day: play again tomorrow")
        play_id = new_id()
        conn.execute(game_plays.insert().values(play_id=play_id, member_id=member_id, game=GAME, day=local_day(now),
                                                started_at=now, seconds=game.seconds, status="playing"))
        row = conn.execute(select(game_plays).where(game_plays.c.play_id == play_id)).one()
        return Play(play_id, _ticket(conn, db.url, row), game.seconds, now)


def open_play(db: Database, member_id: str, play_id: str) -> Play | PlayResult:
    """The play page: a play still open (with its ticket), or the result of one finished."""
    with db.read() as conn:
        row = conn.execute(select(game_plays).where(game_plays.c.play_id == play_id[:36])).first()
        if row is None or row.member_id != member_id:
            raise HQProblem(404, "not_found", "no play of yours with this id")
        if row.status == "finished":
            return PlayResult(row.play_id, row.catches_sent, row.catches_counted, row.award, balance(conn, member_id))
        return Play(row.play_id, _ticket(conn, db.url, row), row.seconds, row.started_at)


def _catches(text: object) -> int:
    raw = text.strip() if isinstance(text, str) else ""
    if not re.fullmatch(rf"\d{{1,{MAX_CATCHES_TEXT}}}", raw):
        raise HQProblem(422, "invalid_catches", "catches are a whole number")
    return int(raw)


def finish_play(db: Database, member_id: str, ticket: object, catches: object, now: datetime) -> PlayResult:
    """Take the page's result of the play `ticket` names, once; the award is HQ's count."""
    if not isinstance(ticket, str) or (m := _TICKET.match(ticket)) is None:
        raise HQProblem(403, "ticket_forged", "this is not a play ticket HQ gave")
    sent = _catches(catches)
    g = game_plays.c
    with db.write() as (conn, seq):
        row = conn.execute(select(game_plays).where(g.play_id == m.group(1))).first()
        if row is None or not hmac.compare_digest(_ticket(conn, db.url, row), ticket) or row.member_id != member_id:
            raise HQProblem(403, "ticket_forged", "this is not a play ticket HQ gave you")
        if row.status != "playing":
            raise HQProblem(409, "play_over", "this play's result was taken already")
        require_active_member(conn, member_id)
        game = rice_game(conn)
        rules_game = RiceGame(game.plays_per_day, row.seconds, game.points_per_catch, game.max_points_per_play)
        counted, won = award(rules_game, sent, (now - row.started_at).total_seconds())
        event_id = None
        if won:
            rules = rules_now(conn, now)
            entry = earn_entry(conn, Kind.EARN, member_id, won, now=now, rules=rules, payload={
                "purpose": "game_award", "game": GAME, "play_id": row.play_id, "catches": counted})
            event_id = hq_events.write(conn, seq, db.url, [entry], staff_id=None, rule_version=rules.version,
                                       now=now)[0].event_id
        done = conn.execute(update(game_plays).where(g.play_id == row.play_id, g.status == "playing").values(
            status="finished", finished_at=now, catches_sent=sent, catches_counted=counted, award=won,
            event_id=event_id))
        if done.rowcount != 1:  # cannot happen under the writer lock; never award twice if it did
            raise HQProblem(409, "play_over", "this play's result was taken already")
        return PlayResult(row.play_id, sent, counted, won, balance(conn, member_id))
