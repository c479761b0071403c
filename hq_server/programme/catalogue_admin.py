"""The programme's catalogue as operators edit it from the console: products, gifts, coupon types,
campaigns and lotteries. A form's text is read into the record the tills apply (the same field names
and types as pos_app.sync.catalogue's appliers), then checked with the tills' domain rules
(pos_app.domain: coupons.check_type, lottery.check_lottery, money.parse_yuan, ...); a refusal names
the field. A saved record goes to every store by pull and into the audit log with before and after;
a form opened on an older version of the record is refused as stale (someone saved meanwhile).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, update

from hq_server import models as M
from hq_server.db import Database, Seq
from hq_server.errors import HQProblem
from hq_server.feed import FeedWriter
from hq_server.programme import audit
from hq_server.programme.audit import Actor
from hq_server.programme.listing import ListQuery, ListShape, Page, fetch
from hq_server.programme import tiers
from hq_server.programme.domain_said import resay
from hq_server.programme.refusals import BadField, from_problems, said
from pos_app.domain.coupons import CouponKind, CouponType, check_type
from pos_app.domain.ledger import canonical_json
from pos_app.domain.lottery import Lottery, Prize, check_lottery
from pos_app.domain.money import parse_yuan
from pos_app.domain.problems import Refused
from pos_app.domain.tiers import Tier, parse_tier

KEY = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
CHAIN_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Field:
    name: str
    label: str  # msgid (marked N_ where the face lists them)
    kind: str  # text | int | yuan | time | list | bool | choice | prizes
    required: bool = False
    choices: tuple[str, ...] = ()
    max_len: int = 80


def N_(msgid: str) -> str:
    """Marks a label for the faces' catalogues (they translate it where it is shown)."""
    return msgid


def _f(name: str, label: str, kind: str = "text", required: bool = False, choices: tuple[str, ...] = (),
       max_len: int = 80) -> Field:
    return Field(name, label, kind, required, choices, max_len)


# What each type's record holds: the tills' appliers read exactly these.
TYPES: dict[str, tuple[Field, ...]] = {
    "product": (_f("name", N_("Name"), required=True), _f("category", N_("Category"), required=True, max_len=40),
                _f("price_fen", N_("Price (yuan)"), "yuan", required=True), _f("barcode", N_("Barcode"), max_len=32),
                _f("active", N_("Active"), "bool")),
    "gift": (_f("name", N_("Name"), required=True), _f("points_cost", N_("Points"), "int", required=True),
             _f("copay_fen", N_("Co-pay (yuan)"), "yuan"), _f("starts_at", N_("Starts"), "time"),
             _f("ends_at", N_("Ends"), "time"), _f("per_member_limit", N_("Limit per member"), "int"),
             _f("min_tier", N_("Lowest tier"), max_len=16), _f("image", N_("Picture address"), max_len=200),
             _f("category", N_("Mall category"), max_len=40), _f("description", N_("Description"), max_len=2000),
             _f("active", N_("Active"), "bool")),
    "coupon_type": (_f("name", N_("Name"), required=True), _f("points_cost", N_("Points"), "int", required=True),
                    _f("kind", N_("Coupon kind"), "choice", required=True, choices=("amount", "percent")),
                    _f("value", N_("Value (fen off, or percent)"), "int", required=True),
                    _f("min_spend_fen", N_("Minimum spend (yuan)"), "yuan"),
                    _f("max_discount_fen", N_("Largest discount (yuan)"), "yuan"),
                    _f("valid_days", N_("Valid days"), "int"), _f("active", N_("Active"), "bool")),
    "campaign": (_f("name", N_("Name"), required=True), _f("starts_at", N_("Starts"), "time", required=True),
                 _f("ends_at", N_("Ends"), "time", required=True),
                 _f("multiplier_pct", N_("Multiplier (percent)"), "int", required=True),
                 _f("categories", N_("Categories (comma separated; empty: all)"), "list", max_len=400),
                 _f("skus", N_("SKUs (comma separated; empty: all)"), "list", max_len=400)),
    "lottery": (_f("name", N_("Name"), required=True), _f("points_per_draw", N_("Points per draw"), "int", required=True),
                _f("prizes", N_("Prizes (one a line: code, name, weight, points)"), "prizes", required=True,
                   max_len=2000), _f("active", N_("Active"), "bool")),
    # a tier record overrides the rules' tier of its code (hq_server.programme.tiers)
    "tier": (_f("name", N_("Name"), required=True, max_len=40),
             _f("min_spend_fen", N_("Spend in 12 months that reaches it (yuan)"), "yuan"),
             _f("min_points", N_("Points in 12 months that reach it"), "int"),
             _f("multiplier_pct", N_("Earn multiplier (percent)"), "int"),
             _f("benefits", N_("Perks (comma separated)"), "list", max_len=800)),
}
CATALOGUE_TYPES = tuple(TYPES)


def _time(text: str, name: str) -> str:
    """A local time typed as YYYY-MM-DD HH:MM (or the browser's YYYY-MM-DDTHH:MM) -> ISO UTC."""
    try:
        dt = datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise BadField(name, said("%(field)s: write a time as YYYY-MM-DD HH:MM, not %(text)r",
                                  field=name, text=text)) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=CHAIN_TZ)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


# An amount in yuan the money parser refused (pos_app.domain.money.parse_yuan), said with what was typed.
AMOUNT_SHAPES = (said("%(field)s: not an amount: %(text)s"), said("%(field)s: more than two decimals: %(text)s"))


def read_form(type_: str, form: dict[str, str]) -> dict[str, Any]:
    """The record a form's fields describe; BadField names the first field that is wrong."""
    if type_ not in TYPES:
        raise HQProblem(404, "not_found", said("no catalogue type %(type)s", type=type_))
    data: dict[str, Any] = {}
    for f in TYPES[type_]:
        raw = (form.get(f.name) or "").strip()
        if f.kind == "bool":
            data[f.name] = raw in ("1", "on", "true")
            continue
        if len(raw) > f.max_len:
            raise BadField(f.name, said("%(field)s is at most %(n)s characters", field=f.name,
                                                n=f.max_len))
        if raw == "":
            if f.required:
                raise BadField(f.name, said("%(field)s is needed", field=f.name))
            continue
        if f.kind == "int":
            if not re.fullmatch(r"\d{1,12}", raw):
                raise BadField(f.name, said("%(field)s must be a whole number >= 0", field=f.name))
            data[f.name] = int(raw)
        elif f.kind == "yuan":
            try:
                data[f.name] = parse_yuan(raw)
            except (Refused, ValueError) as err:
                raise BadField(f.name, resay(f"{f.name}: {err}", AMOUNT_SHAPES)) from None
            if data[f.name] < 0:
                raise BadField(f.name, said("%(field)s cannot be negative", field=f.name))
        elif f.kind == "time":
            data[f.name] = _time(raw, f.name)
        elif f.kind == "list":
            # in the order staff wrote them (a tier's perks are shown in this order), each once
            data[f.name] = list(dict.fromkeys(x.strip() for x in raw.replace("，", ",").split(",") if x.strip()))
        elif f.kind == "choice":
            if raw not in f.choices:
                raise BadField(f.name, said("%(field)s is one of %(choices)s", field=f.name,
                                                choices=", ".join(f.choices)))
            data[f.name] = raw
        elif f.kind == "prizes":
            data[f.name] = _prizes(raw)
        else:
            data[f.name] = raw
    _check(type_, data)
    return data


def _prizes(text: str) -> list[dict[str, Any]]:
    prizes = []
    for n, line in enumerate([ln for ln in text.splitlines() if ln.strip()], 1):
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 4 or not parts[0] or not parts[1] or not parts[2].isdigit() or not parts[3].isdigit():
            raise BadField("prizes", said("prize line %(n)s: write code, name, weight, points (e.g. A, 88 points, "
                                             "5, 88)", n=n))
        prizes.append({"code": parts[0], "name": parts[1], "weight": int(parts[2]), "points": int(parts[3])})
    if len({p["code"] for p in prizes}) != len(prizes):
        raise BadField("prizes", "each prize needs a code of its own")
    return prizes


def _check(type_: str, d: dict[str, Any]) -> None:
    """The tills' own rules for the record (pos_app.domain), each refusal on its field."""
    if type_ in ("gift", "coupon_type") and d.get("points_cost", 0) <= 0:
        raise BadField("points_cost", "the points cost must be above zero (a till refuses a free one)")
    if type_ == "coupon_type":
        problems = check_type(CouponType("x", d["name"], d["points_cost"], CouponKind(d["kind"]), d["value"],
                                         d.get("min_spend_fen", 0), d.get("max_discount_fen"),
                                         d.get("valid_days", 30)))
        if problems:
            msg = problems[0].message
            field = ("value" if "percent" in msg or "value" in msg else "valid_days" if "valid" in msg
                     else "min_spend_fen" if "minimum" in msg else "max_discount_fen" if "cap" in msg
                     else "points_cost")
            raise BadField(field, msg, code=problems[0].code)
    if type_ in ("campaign", "gift") and d.get("starts_at") and d.get("ends_at") and d["ends_at"] <= d["starts_at"]:
        raise BadField("ends_at", "it must end after it starts")
    if type_ == "campaign" and d["multiplier_pct"] < 100:
        raise BadField("multiplier_pct", "a campaign multiplies points: 100 or more (200 = double points)")
    if type_ == "tier":
        parsed = parse_tier("x", d, strict=True)
        if isinstance(parsed, tuple):
            raise from_problems(parsed)
    if type_ == "lottery":
        problems = check_lottery(Lottery("x", d["name"], d["points_per_draw"],
                                         tuple(Prize(p["code"], p["name"], p["weight"], p["points"])
                                               for p in d["prizes"])))
        if problems:
            raise BadField("points_per_draw" if d["points_per_draw"] <= 0 else "prizes", problems[0].message,
                           code=problems[0].code)


c = M.catalog.c


def _defaults(type_: str, data: dict[str, Any]) -> dict[str, Any]:
    """A record as the tills read it: one without `active` is active (pos_app.sync.catalogue._active)."""
    if any(f.name == "active" for f in TYPES[type_]):
        return {**data, "active": data.get("active") is not False}
    return data


def find(db: Database, type_: str, query: ListQuery) -> Page:
    if type_ not in TYPES:
        raise HQProblem(404, "not_found", said("no catalogue type %(type)s", type=type_))
    shape = ListShape(sorts={"key": c.key, "updated_at": c.updated_at}, default_sort=(c.key,), tiebreak=(c.key,),
                      search=lambda s, v: s.where(c.key.contains(v, autoescape=True) |
                                                  c.data.contains(v, autoescape=True)))
    stmt = select(c.key, c.data, c.seq, c.updated_at).where(c.type == type_)
    with db.read() as conn:
        return fetch(conn, stmt, query, shape, lambda r: {"key": r.key, "seq": r.seq, "updated_at": r.updated_at,
                                                           **_defaults(type_, json.loads(r.data))})


def item(db: Database, type_: str, key: str) -> dict[str, Any] | None:
    with db.read() as conn:
        row = conn.execute(select(c.data, c.seq).where(c.type == type_, c.key == key)).first()
    return None if row is None else {"key": key, "seq": row.seq, **_defaults(type_, json.loads(row.data))}


def save(db: Database, actor: Actor, type_: str, key: str, data: dict[str, Any], *, seen_seq: int | None,
         now: datetime) -> int:
    """Create (seen_seq None) or change (seen_seq: the version the form was opened on) one record."""
    if not KEY.fullmatch(key or ""):
        raise BadField("key", "a key is 1 to 64 letters, digits or _.:-")
    if len(canonical_json(data)) > 64_000:
        raise HQProblem(413, "too_large", "a catalogue record is limited to 64 kB")
    with db.write() as (conn, seq):
        return put_record(conn, seq, actor, type_, key, data, seen_seq=seen_seq, now=now)


def put_record(conn: Connection, seq: Seq, actor: Actor, type_: str, key: str, data: dict[str, Any], *, seen_seq: int | None,
               now: datetime) -> int:
    """save() inside a caller's transaction (a gift's new picture and its record commit together)."""
    row = conn.execute(select(c.data, c.seq).where(c.type == type_, c.key == key)).first()
    if seen_seq is None and row is not None:
        raise BadField("key", said("%(type)s %(key)s exists already", type=type_, key=key), code="exists",
                       status=409)
    if seen_seq is not None and (row is None or row.seq != seen_seq):
        raise HQProblem(409, "stale_form", said("%(type)s %(key)s was changed by someone else since you opened it: "
                                                "reload it and make your change again", type=type_, key=key))
    if type_ == "tier":  # the chain's tiers must stay usable with this one
        _tiers_usable(conn, now, key, parse_tier(key, data))
    feed = FeedWriter(seq)
    n = feed.add(M.CHAIN, type_, key, {"key": key, **data})
    values = {"data": canonical_json(data), "seq": n, "updated_at": now}
    if row is None:
        conn.execute(M.catalog.insert().values(type=type_, key=key, **values))
    else:
        conn.execute(update(M.catalog).where(c.type == type_, c.key == key).values(**values))
    feed.flush(conn)
    audit.record(conn, actor, "catalog.create" if row is None else "catalog.change", f"{type_}:{key}",
                 before=json.loads(row.data) if row else None, after=data, at=now)
    return n


def _tiers_usable(conn: Connection, now: datetime, code: str, record: Tier | tuple[Any, ...] | None) -> None:
    """A tier record put (or removed: None) must leave the chain's tiers usable; the refusal is shown
    on the threshold fields, where it is mended."""
    if isinstance(record, tuple):
        raise BadField("key", "a tier's code is 1 to 16 characters")
    try:
        tiers.check_tier_change(conn, now, code, record)
    except HQProblem as bad:
        raise BadField("min_spend_fen" if record is not None else "key", bad.message) from None


def remove(db: Database, actor: Actor, type_: str, key: str, now: datetime) -> None:
    """Take a record out: the tills keep it inactive (old sales still name it)."""
    with db.write() as (conn, seq):
        row = conn.execute(select(c.data).where(c.type == type_, c.key == key)).first()
        if row is None:
            raise HQProblem(404, "not_found", said("no %(type)s %(key)s", type=type_, key=key))
        if type_ == "tier":
            _tiers_usable(conn, now, key, None)
        conn.execute(M.catalog.delete().where(c.type == type_, c.key == key))
        feed = FeedWriter(seq)
        feed.add(M.CHAIN, type_, key, {"key": key, "deleted": True})
        feed.flush(conn)
        audit.record(conn, actor, "catalog.remove", f"{type_}:{key}", before=json.loads(row.data), at=now)
