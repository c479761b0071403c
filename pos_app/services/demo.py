"""Demo data for a first start: a small tea-and-snacks shop with real-looking numbers.

Staff PINs are listed in README.md. Seeding is idempotent: it runs only on an empty
database (no staff yet).

So the codes work end to end, the demo also makes keys, in a `demo` folder beside the
store database: a demo HQ label key (label-key.pem, for `pos-app labels` only; the store
trusts just its public half, as a real store trusts HQ's) with one signed label batch,
and each demo member's phone key (member-keys.json; the store trusts the public keys,
as it would after pulling the members from HQ). `demo_member_code` shows what a demo
member's phone would show now.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.domain.campaigns import Campaign
from pos_app.domain.catalog import Product
from pos_app.domain.coupons import CouponKind, CouponType
from pos_app.domain.gifts import Gift
from pos_app.domain.lottery import Lottery, Prize
from pos_app.domain.rules import ApprovalPolicy, Rules
from pos_app.domain.staff import Role, Staff, hash_pin
from pos_app.domain.tiers import Tier
from pos_app.domain.members import Member
from pos_app.services.context import StoreContext
from pos_app.store import repos
from pos_app.sync import state as sync_state

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DEMO_MEMBER_PIN = "123456"  # every demo member's PIN (README lists it)
CASHIER_ID = "00000000-0000-7000-8000-000000000001"
MANAGER_ID = "00000000-0000-7000-8000-000000000002"
GUIDE_ID = "00000000-0000-7000-8000-000000000003"
DEMO_PINS = {"cashier": "1111", "manager": "9999", "guide": "2222"}

DEMO_RULES = Rules(
    version=1, base_points=1, base_per_fen=100, product_points={"GIFTCARD100": 0},
    category_pct={"tea": 100, "snacks": 100, "merch": 200}, excluded_categories=frozenset({"tobacco"}),
    daily_cap=5000, lock_days=0, expiry_days=365,
    tiers=(Tier("basic", "普通会员 Basic", 0, 100, ("积分 1x",)),
           Tier("silver", "银卡 Silver", 100_000, 120, ("积分 1.2x", "生日礼")),
           Tier("gold", "金卡 Gold", 500_000, 150, ("积分 1.5x", "生日礼", "专属客服"))),
    guide_pct=10, referral_bonus=200, cash_points=100, cash_fen=100, cash_max_pct=50,
    approval=ApprovalPolicy(redeem_points_over=3000))

PRODUCTS = [
    ("TEA-OOLONG", "铁观音乌龙茶 250g", "tea", 12800, "6901234567892"),
    ("TEA-PUER", "普洱熟茶饼 357g", "tea", 26800, "6901234567908"),
    ("TEA-JASMINE", "茉莉花茶 100g", "tea", 4800, "6901234567915"),
    ("TEA-GREEN", "西湖龙井 50g", "tea", 19800, "6901234567922"),
    ("MILKTEA-L", "珍珠奶茶 大杯", "drinks", 1800, "6901234567939"),
    ("MILKTEA-M", "珍珠奶茶 中杯", "drinks", 1500, "6901234567946"),
    ("LEMON-TEA", "柠檬红茶", "drinks", 1200, "6901234567953"),
    ("SNACK-MOONCAKE", "广式月饼礼盒", "snacks", 16800, "6901234567960"),
    ("SNACK-NUTS", "每日坚果 30包", "snacks", 9900, "6901234567977"),
    ("SNACK-DATES", "新疆红枣 500g", "snacks", 3900, "6901234567984"),
    ("MUG-LOGO", "品牌马克杯", "merch", 5900, "6901234567991"),
    ("TEASET-TRAVEL", "便携旅行茶具", "merch", 15800, "6901234568004"),
    ("CIG-DEMO", "香烟 (不积分)", "tobacco", 2500, "6901234568011"),
    ("BAG-PAPER", "环保纸袋", "misc", 50, "6901234568028"),
]

GIFTS = [
    ("GIFT-CUP", "定制随行杯", 800, 0, 40, None, None),
    ("GIFT-TEABAG", "茶包体验装", 300, 0, 120, None, None),
    ("GIFT-UMBRELLA", "晴雨伞", 1500, 0, 25, 2, None),
    ("GIFT-TEAPOT", "紫砂壶", 5000, 2000, 6, 1, "silver"),
    ("GIFT-SPEAKER", "蓝牙音箱", 9000, 0, 3, 1, "gold"),
    ("GIFT-CANVAS", "帆布袋", 500, 0, 0, None, None),
]

COUPON_TYPES = [
    CouponType("CPN-5", "满50减5元券", 400, CouponKind.AMOUNT, 500, 5000, None, 30),
    CouponType("CPN-20", "满200减20元券", 1500, CouponKind.AMOUNT, 2000, 20000, None, 30),
    CouponType("CPN-10PCT", "九折券 (最高减30元)", 1000, CouponKind.PERCENT, 10, 0, 3000, 14),
]

MEMBERS = [("13800138000", "张伟"), ("13912345678", "李娜"), ("13688889999", "王强"),
           ("15012340000", "陈静"), ("18600001111", "刘洋")]

DEMO_FOLDER = "demo"
LABEL_KEY_FILE = "label-key.pem"
MEMBER_KEYS_FILE = "member-keys.json"
DEMO_LABELS = ("TEA-OOLONG", "铁观音乌龙茶 250g", 24, "8:50,28:30,38:10,48:6,68:4")


def seed_demo(ctx: StoreContext) -> bool:
    """Fill an empty store with demo data; returns False if it already had staff or is
    enrolled with HQ (demo members and sales would be pushed to the chain as real ones)."""
    with ctx.db.write() as conn:
        if repos.all_staff(conn) or sync_state.credentials(conn) is not None:
            return False
        from pos_app.services import checkout as checkout_uc  # these (pydantic, cryptography) load only
        from pos_app.services import members as members_uc  # to seed an empty store, not at every start

        now = ctx.now()
        repos.save_rules(conn, DEMO_RULES, now)
        for staff_id, name, role, pin in ((CASHIER_ID, "王芳 (收银)", Role.CASHIER, DEMO_PINS["cashier"]),
                                          (MANAGER_ID, "李经理 (店长)", Role.MANAGER, DEMO_PINS["manager"]),
                                          (GUIDE_ID, "赵敏 (导购)", Role.CASHIER, DEMO_PINS["guide"])):
            repos.save_staff(conn, Staff(staff_id, name, role, hash_pin(pin)))
        for sku, name, cat, price, barcode in PRODUCTS:
            repos.save_product(conn, Product(sku, name, cat, price, barcode))
        for gid, name, cost, copay, stock, limit, tier in GIFTS:
            repos.save_gift(conn, Gift(gid, name, cost, copay, None, None, limit, tier), stock)
        for ct in COUPON_TYPES:
            repos.save_coupon_type(conn, ct)
        repos.save_lottery(conn, Lottery("LOTTO-1", "幸运抽奖", 100, (
            Prize("P0", "谢谢参与", 60), Prize("P8", "8 积分", 20, 8), Prize("P28", "28 积分", 12, 28),
            Prize("P68", "68 积分", 6, 68), Prize("P168", "168 积分", 2, 168))))
        repos.save_campaign(conn, Campaign("CAMP-TEA2X", "茶叶双倍积分周", now - timedelta(days=1),
                                           now + timedelta(days=6), 200, frozenset({"tea"})))
    first = None
    for phone, name in MEMBERS:
        m = members_uc.register_member(ctx, staff_id=CASHIER_ID, phone=phone, name=name,
                                       referrer_code=first.referral_code if first else None, member_pin=DEMO_MEMBER_PIN)
        first = first or m
    # Some history, so balances, tiers and reports show something real.
    baskets = [[("TEA-PUER", 2), ("SNACK-NUTS", 1)], [("MILKTEA-L", 2), ("LEMON-TEA", 1)],
               [("TEA-OOLONG", 1), ("MUG-LOGO", 1)], [("SNACK-MOONCAKE", 3)], [("TEASET-TRAVEL", 1), ("TEA-GREEN", 2)]]
    with ctx.db.read() as conn:
        found = [repos.member_where(conn, phone=p) for p, _ in MEMBERS]
    members = [f for f in found if f is not None]
    for member, basket in zip(members, baskets):
        checkout_uc.checkout(ctx, staff_id=CASHIER_ID, member_id=member.member_id, items=basket, guide_id=GUIDE_ID)
    _seed_keys(ctx, members)
    return True


# --- demo keys ------------------------------------------------------------------------------
def demo_folder(ctx: StoreContext) -> Path | None:
    """Where the demo's private keys live: beside the store database (none in memory)."""
    path = ctx.db.path
    return None if str(path) == ":memory:" else path.parent / DEMO_FOLDER


def _seed_keys(ctx: StoreContext, members: list[Member]) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pos_app.domain.label_batches import public_bytes

    folder = demo_folder(ctx)
    label_key = _demo_label_key(folder)
    member_keys = {m.member_id: Ed25519PrivateKey.generate() for m in members}
    with ctx.db.write() as conn:
        repos.trust_label_key(conn, public_bytes(label_key))
        for member_id, key in member_keys.items():
            repos.trust_member_key(conn, member_id, public_bytes(key))
    if folder is None:
        return
    doc = {m.member_id: {"phone": m.phone, "name": m.name, "private_key": member_keys[m.member_id].private_bytes_raw()
                         .hex()} for m in members}
    _write_private(folder / MEMBER_KEYS_FILE, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
    from pos_app.domain.label_batches import create_batch
    from pos_app.scanner import labels  # Pillow and qrcode: only when there is a folder to print to

    sku, name, count, prizes = DEMO_LABELS
    labels.write_batch(create_batch(sku=sku, name=name, count=count, prizes=prizes, key=label_key,
                                           now=ctx.now()), folder)


def _demo_label_key(folder: Path | None) -> Ed25519PrivateKey:
    if folder is None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.generate()
    from pos_app.scanner import labels

    path = folder / LABEL_KEY_FILE
    if not path.exists():  # a demo store made again in the same folder keeps its label key
        labels.generate_key(path)
    return labels.load_private_key(path)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def demo_member_code(ctx: StoreContext, phone: str, at: datetime | None = None) -> str:
    """The dynamic code a demo member's phone shows at `at` (default: the store's now)."""
    folder = demo_folder(ctx)
    path = folder / MEMBER_KEYS_FILE if folder else None
    if path is None or not path.exists():
        raise FileNotFoundError("no demo member keys: this store was not seeded with demo data in a folder")
    for member_id, rec in json.loads(path.read_text(encoding="utf-8")).items():
        if rec["phone"] == phone:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

            from pos_app.scanner.formats import dynamic_member_payload

            key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(rec["private_key"]))
            return dynamic_member_payload(member_id, key, at or ctx.now())
    raise KeyError(f"no demo member with phone {phone}")
