"""Reference data in and out of the store database, as domain records."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, or_, select, update

from pos_app.domain.campaigns import Campaign
from pos_app.domain.catalog import Product
from pos_app.domain.codes import DeviceKey, KeyRing, key_id_for
from pos_app.domain.coupons import Coupon, CouponKind, CouponStatus, CouponType
from pos_app.domain.gifts import Gift
from pos_app.domain.lottery import Lottery, Prize
from pos_app.domain.members import Member
from pos_app.domain.rules import Rules, parse_rules, rules_to_doc
from pos_app.domain.staff import Role, Staff
from pos_app.domain.tiers import Tier, check_tiers, overlay, parse_tier
from pos_app.store import tables as T


# Lookups every checkout makes are built once (a fresh statement costs SQLAlchemy a
# cache-key walk, ~0.2 ms apiece on the bench; see bench/ledger.py).
_RULES_DOC = select(T.rules.c.version, T.rules.c.doc).order_by(T.rules.c.version.desc()).limit(1)
_RULES_AT = (select(T.rules.c.version, T.rules.c.doc).where(T.rules.c.effective_at <= bindparam("now"))
             .order_by(T.rules.c.version.desc()).limit(1))
_RULES_FIRST = select(T.rules.c.version, T.rules.c.doc).order_by(T.rules.c.version).limit(1)
_CAMPAIGNS = select(T.campaigns).where(T.campaigns.c.starts_at <= bindparam("now"),
                                       T.campaigns.c.ends_at > bindparam("now"))
_STAFF = select(T.staff).where(T.staff.c.staff_id == bindparam("staff_id"))
_MEMBER = select(T.members).where(T.members.c.member_id == bindparam("member_id"))
_PRODUCT = select(T.products).where(or_(T.products.c.sku == bindparam("code"),
                                         T.products.c.barcode == bindparam("code")))
_COUPON = (select(T.coupons, T.coupon_types).join(T.coupon_types)
           .where(T.coupons.c.code == bindparam("code")))
_META = select(T.meta.c.value).where(T.meta.c.key == bindparam("key"))
_parsed_rules: dict[tuple[int, str, str | None], Rules] = {}
LOTTERY_LIMITS = "programme.lottery_limits"  # meta: {lottery id: HQ's daily_draws, daily_prize_points}
TIER_RECORDS = "programme.tiers"  # meta: {code: HQ's tier record}, over the rules' tiers (pos_app.sync.catalogue)


# -- meta (store identity and small settings) ---------------------------------------
def get_meta(conn: Connection, key: str, default: str | None = None) -> str | None:
    value = conn.execute(_META, {"key": key}).scalar()
    return default if value is None else value


def set_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(T.meta).where(T.meta.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(T.meta.insert().values(key=key, value=value))


def get_meta_json(conn: Connection, key: str, default=None):
    value = get_meta(conn, key)
    return default if value is None else json.loads(value)


def set_meta_json(conn: Connection, key: str, value) -> None:
    set_meta(conn, key, json.dumps(value, sort_keys=True))


# -- trusted public keys (meta, JSON): what scanned codes are verified with ------------
LABEL_KEYS = "keys.labels"  # {key id: public key hex}: HQ's label keys
DEVICE_KEYS = "keys.devices"  # {key id: {"store_id", "public_key"}}: devices that sign pickup codes
MEMBER_KEYS = "keys.member:"  # + member id -> {key id: public key hex}: the member's phone keys
SIGNING_KEY = "device.signing_key"  # {"key_id", "private_key"}: this device's own key (pickup codes)


def trust_label_key(conn: Connection, public_key: bytes) -> str:
    kid = key_id_for(public_key)
    set_meta_json(conn, LABEL_KEYS, {**get_meta_json(conn, LABEL_KEYS, {}), kid: public_key.hex()})
    return kid


def trust_member_key(conn: Connection, member_id: str, public_key: bytes) -> str:
    kid = key_id_for(public_key)
    key = MEMBER_KEYS + member_id
    set_meta_json(conn, key, {**get_meta_json(conn, key, {}), kid: public_key.hex()})
    return kid


def trust_device_key(conn: Connection, store_id: str, public_key: bytes) -> str:
    kid = key_id_for(public_key)
    set_meta_json(conn, DEVICE_KEYS, {**get_meta_json(conn, DEVICE_KEYS, {}),
                                      kid: {"store_id": store_id, "public_key": public_key.hex()}})
    return kid


class StoredKeys:
    """The keys this store trusts, read from meta within one transaction (LabelKeys,
    MemberKeys and DeviceKeys of pos_app.domain.codes). Label and device keys are few and
    read at once; a member's keys are read when a code names the member."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.ring = KeyRing()
        for kid, hexkey in get_meta_json(conn, LABEL_KEYS, {}).items():
            self.ring.labels[kid] = bytes.fromhex(hexkey)
        for kid, d in get_meta_json(conn, DEVICE_KEYS, {}).items():
            self.ring.devices[kid] = DeviceKey(d["store_id"], bytes.fromhex(d["public_key"]))
        self._members_read: set[str] = set()

    def label_key(self, key_id: str) -> bytes | None:
        return self.ring.label_key(key_id)

    def device_key(self, key_id: str) -> DeviceKey | None:
        return self.ring.device_key(key_id)

    def member_key(self, member_id: str, key_id: str) -> bytes | None:
        if member_id not in self._members_read:
            self._members_read.add(member_id)
            for kid, hexkey in get_meta_json(self.conn, MEMBER_KEYS + member_id, {}).items():
                self.ring.members[(member_id, kid)] = bytes.fromhex(hexkey)
        return self.ring.member_key(member_id, key_id)


# -- rules and campaigns -------------------------------------------------------------
def current_rules(conn: Connection, now: datetime | None = None) -> Rules:
    """The rules in force at `now` (the latest version whose effective_at has come; HQ may
    publish a version ahead of its date), with HQ's tier records over the rules' tiers.
    Without `now`: the latest version stored."""
    row = conn.execute(_RULES_DOC if now is None else _RULES_AT, {"now": now} if now is not None else {}).first()
    if row is None and now is not None:  # nothing effective yet: the earliest version stands
        row = conn.execute(_RULES_FIRST).first()
    tiers = get_meta(conn, TIER_RECORDS)
    if row is None:
        return _with_tiers(Rules(version=1), tiers)
    key = (row.version, row.doc, tiers)
    if key not in _parsed_rules:  # Rules are frozen: one parse per stored version (and tier records) is enough
        parsed = parse_rules(json.loads(row.doc))
        if isinstance(parsed, tuple):  # stored rules were validated on the way in
            raise RuntimeError(f"stored rules are invalid: {parsed}")
        if len(_parsed_rules) > 16:
            _parsed_rules.clear()
        _parsed_rules[key] = _with_tiers(parsed, tiers)
    return _parsed_rules[key]


def _with_tiers(rules: Rules, records_json: str | None) -> Rules:
    """HQ's tier records (checked by parse_tier as they were pulled) over the rules' tiers; a set that
    would leave no tier open to every member is not used (HQ refuses one; the rules' tiers stand)."""
    if not records_json:
        return rules
    records = {}
    for code, data in json.loads(records_json).items():
        parsed = parse_tier(code, data)
        if isinstance(parsed, Tier):
            records[code] = parsed
    tiers = overlay(rules.tiers, records)
    return rules if check_tiers(tiers) else replace(rules, tiers=tiers)


def save_rules(conn: Connection, rules: Rules, effective_at: datetime) -> None:
    conn.execute(T.rules.insert().values(version=rules.version, doc=json.dumps(rules_to_doc(rules)),
                                         effective_at=effective_at))


def active_campaigns(conn: Connection, now: datetime) -> tuple[Campaign, ...]:
    rows = conn.execute(_CAMPAIGNS, {"now": now}).all()
    return tuple(Campaign(r.campaign_id, r.name, r.starts_at, r.ends_at, r.multiplier_pct,
                          frozenset(json.loads(r.categories)), frozenset(json.loads(r.skus))) for r in rows)


def save_campaign(conn: Connection, c: Campaign) -> None:
    conn.execute(T.campaigns.insert().values(campaign_id=c.campaign_id, name=c.name, starts_at=c.starts_at,
                                             ends_at=c.ends_at, multiplier_pct=c.multiplier_pct,
                                             categories=json.dumps(sorted(c.categories)),
                                             skus=json.dumps(sorted(c.skus))))


# -- staff ----------------------------------------------------------------------------
def _staff(r) -> Staff:
    return Staff(r.staff_id, r.name, Role(r.role), r.pin_hash, bool(r.active))


def staff_by_id(conn: Connection, staff_id: str) -> Staff | None:
    r = conn.execute(_STAFF, {"staff_id": staff_id}).first()
    return _staff(r) if r else None


def all_staff(conn: Connection) -> list[Staff]:
    return [_staff(r) for r in conn.execute(select(T.staff).order_by(T.staff.c.name)).all()]


def save_staff(conn: Connection, s: Staff) -> None:
    conn.execute(T.staff.insert().values(staff_id=s.staff_id, name=s.name, role=str(s.role), pin_hash=s.pin_hash,
                                         active=int(s.active)))


# -- members --------------------------------------------------------------------------
def _member(r) -> Member:
    return Member(r.member_id, r.phone, r.name, r.tier, r.card_no, r.referral_code, r.referred_by, r.created_at,
                  r.home_store, r.first_purchase_at, r.pin_hash, r.risk_flag)


def member_by_id(conn: Connection, member_id: str) -> Member | None:
    r = conn.execute(_MEMBER, {"member_id": member_id}).first()
    return _member(r) if r else None


def member_where(conn: Connection, **eq: str) -> Member | None:
    cond = [getattr(T.members.c, k) == v for k, v in eq.items()]
    r = conn.execute(select(T.members).where(*cond, T.members.c.merged_into.is_(None)).limit(1)).first()
    return _member(r) if r else None


def search_members(conn: Connection, text: str, limit: int = 20) -> list[Member]:
    like = f"%{text}%"
    rows = conn.execute(select(T.members).where(or_(T.members.c.phone.like(like), T.members.c.name.like(like)),
                                                T.members.c.merged_into.is_(None)).limit(limit)).all()
    return [_member(r) for r in rows]


def save_member(conn: Connection, m: Member) -> None:
    conn.execute(T.members.insert().values(
        member_id=m.member_id, phone=m.phone, name=m.name, tier=m.tier, card_no=m.card_no,
        referral_code=m.referral_code, referred_by=m.referred_by, created_at=m.created_at, home_store=m.home_store,
        first_purchase_at=m.first_purchase_at, pin_hash=m.pin_hash, risk_flag=m.risk_flag))


def update_member(conn: Connection, member_id: str, **values) -> None:
    conn.execute(update(T.members).where(T.members.c.member_id == member_id).values(**values))


def count_members(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(T.members)).scalar()


# -- catalogue ------------------------------------------------------------------------
def _product(r) -> Product:
    return Product(r.sku, r.name, r.category, r.price_fen, r.barcode, bool(r.active))


def product_by_code(conn: Connection, code: str) -> Product | None:
    """A product by its sku or its printed barcode."""
    r = conn.execute(_PRODUCT, {"code": code}).first()
    return _product(r) if r else None


def products_by_sku(conn: Connection, skus: list[str]) -> dict[str, Product]:
    rows = conn.execute(select(T.products).where(T.products.c.sku.in_(skus))).all()
    return {r.sku: _product(r) for r in rows}


def search_products(conn: Connection, text: str, limit: int = 30) -> list[Product]:
    like = f"%{text}%"
    rows = conn.execute(select(T.products).where(
        T.products.c.active == 1,
        or_(T.products.c.name.like(like), T.products.c.sku.like(like), T.products.c.barcode.like(like)))
        .order_by(T.products.c.name).limit(limit)).all()
    return [_product(r) for r in rows]


def save_product(conn: Connection, p: Product) -> None:
    conn.execute(T.products.insert().values(sku=p.sku, name=p.name, category=p.category, price_fen=p.price_fen,
                                            barcode=p.barcode, active=int(p.active)))


# -- gifts, coupons, lotteries ---------------------------------------------------------
def _gift(r) -> Gift:
    return Gift(r.gift_id, r.name, r.points_cost, r.copay_fen, r.starts_at, r.ends_at, r.per_member_limit,
                r.min_tier, r.image, bool(r.active))


def gift_with_stock(conn: Connection, gift_id: str) -> tuple[Gift, int] | None:
    r = conn.execute(select(T.gifts).where(T.gifts.c.gift_id == gift_id)).first()
    return (_gift(r), r.stock) if r else None


def all_gifts(conn: Connection) -> list[tuple[Gift, int]]:
    return [(_gift(r), r.stock) for r in conn.execute(select(T.gifts).order_by(T.gifts.c.points_cost)).all()]


def save_gift(conn: Connection, g: Gift, stock: int) -> None:
    conn.execute(T.gifts.insert().values(gift_id=g.gift_id, name=g.name, points_cost=g.points_cost,
                                         copay_fen=g.copay_fen, starts_at=g.starts_at, ends_at=g.ends_at,
                                         per_member_limit=g.per_member_limit, min_tier=g.min_tier, image=g.image,
                                         active=int(g.active), stock=stock))


def change_gift_stock(conn: Connection, gift_id: str, delta: int, event_id: str | None = None) -> None:
    """The till's count moves with its redemptions; `event_id` (the event whose payload says so, as
    "stock") is kept so HQ's later count of this store is read net of it (pos_app.sync.stock)."""
    conn.execute(update(T.gifts).where(T.gifts.c.gift_id == gift_id).values(stock=T.gifts.c.stock + delta))
    if event_id is not None:
        conn.execute(T.stock_own.insert().values(event_id=event_id, gift_id=gift_id, delta=delta))


def _coupon_type(r) -> CouponType:
    return CouponType(r.type_id, r.name, r.points_cost, CouponKind(r.kind), r.value, r.min_spend_fen,
                      r.max_discount_fen, r.valid_days)


def coupon_type(conn: Connection, type_id: str) -> CouponType | None:
    r = conn.execute(select(T.coupon_types).where(T.coupon_types.c.type_id == type_id,
                                                  T.coupon_types.c.active == 1)).first()
    return _coupon_type(r) if r else None


def coupon_types(conn: Connection) -> list[CouponType]:
    rows = conn.execute(select(T.coupon_types).where(T.coupon_types.c.active == 1)
                        .order_by(T.coupon_types.c.points_cost)).all()
    return [_coupon_type(r) for r in rows]


def save_coupon_type(conn: Connection, c: CouponType) -> None:
    conn.execute(T.coupon_types.insert().values(type_id=c.type_id, name=c.name, points_cost=c.points_cost,
                                                kind=str(c.kind), value=c.value, min_spend_fen=c.min_spend_fen,
                                                max_discount_fen=c.max_discount_fen, valid_days=c.valid_days))


def coupon(conn: Connection, code: str) -> Coupon | None:
    r = conn.execute(_COUPON, {"code": code}).first()
    if r is None:
        return None
    return Coupon(r.code, _coupon_type(r), r.member_id, CouponStatus(r.status), r.expires_at)


def member_coupons(conn: Connection, member_id: str) -> list[Coupon]:
    rows = conn.execute(select(T.coupons.c.code).where(T.coupons.c.member_id == member_id)
                        .order_by(T.coupons.c.expires_at)).scalars().all()
    return [coupon(conn, code) for code in rows]


def lottery(conn: Connection, lottery_id: str) -> Lottery | None:
    r = conn.execute(select(T.lotteries).where(T.lotteries.c.lottery_id == lottery_id,
                                               T.lotteries.c.active == 1)).first()
    if r is None:
        return None
    prizes = tuple(Prize(p["code"], p["name"], p["weight"], p.get("points", 0)) for p in json.loads(r.prizes))
    limits = get_meta_json(conn, LOTTERY_LIMITS, {}).get(lottery_id, {})
    return Lottery(r.lottery_id, r.name, r.points_per_draw, prizes, limits.get("daily_draws"),
                   limits.get("daily_prize_points"))


def lotteries(conn: Connection) -> list[Lottery]:
    ids = conn.execute(select(T.lotteries.c.lottery_id).where(T.lotteries.c.active == 1)).scalars().all()
    return [lottery(conn, i) for i in ids]


def save_lottery(conn: Connection, lot: Lottery) -> None:
    conn.execute(T.lotteries.insert().values(
        lottery_id=lot.lottery_id, name=lot.name, points_per_draw=lot.points_per_draw,
        prizes=json.dumps([{"code": p.code, "name": p.name, "weight": p.weight, "points": p.points}
                           for p in lot.prizes], ensure_ascii=False)))
    if lot.daily_draws is not None or lot.daily_prize_points is not None:
        set_meta_json(conn, LOTTERY_LIMITS, {**get_meta_json(conn, LOTTERY_LIMITS, {}), lot.lottery_id: {
            "daily_draws": lot.daily_draws, "daily_prize_points": lot.daily_prize_points}})


def audit(conn: Connection, *, at: datetime, staff_id: str | None, action: str, subject: str | None = None,
          approver_id: str | None = None, **detail) -> None:
    conn.execute(T.audit_log.insert().values(at=at, staff_id=staff_id, approver_id=approver_id, action=action,
                                             subject=subject, detail=json.dumps(detail, ensure_ascii=False,
                                                                                default=str)))
