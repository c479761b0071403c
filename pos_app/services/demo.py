"""Demo data for a first start: a small tea-and-snacks shop with real-looking numbers.

Staff PINs are listed in README.md. Seeding is idempotent: it runs only on an empty
database (no staff yet).
"""

from __future__ import annotations

from datetime import timedelta

from pos_app.domain.campaigns import Campaign
from pos_app.domain.catalog import Product
from pos_app.domain.coupons import CouponKind, CouponType
from pos_app.domain.gifts import Gift
from pos_app.domain.lottery import Lottery, Prize
from pos_app.domain.rules import ApprovalPolicy, Rules
from pos_app.domain.staff import Role, Staff, hash_pin
from pos_app.domain.tiers import Tier
from pos_app.services import checkout as checkout_uc
from pos_app.services import members as members_uc
from pos_app.services.context import StoreContext
from pos_app.store import repos

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


def seed_demo(ctx: StoreContext) -> bool:
    """Fill an empty store with demo data; returns False if it already had staff."""
    with ctx.db.write() as conn:
        if repos.all_staff(conn):
            return False
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
                                       referrer_code=first.referral_code if first else None, member_pin="123456")
        first = first or m
    # Some history, so balances, tiers and reports show something real.
    baskets = [[("TEA-PUER", 2), ("SNACK-NUTS", 1)], [("MILKTEA-L", 2), ("LEMON-TEA", 1)],
               [("TEA-OOLONG", 1), ("MUG-LOGO", 1)], [("SNACK-MOONCAKE", 3)], [("TEASET-TRAVEL", 1), ("TEA-GREEN", 2)]]
    with ctx.db.read() as conn:
        members = [repos.member_where(conn, phone=p) for p, _ in MEMBERS]
    for m, basket in zip(members, baskets):
        checkout_uc.checkout(ctx, staff_id=CASHIER_ID, member_id=m.member_id, items=basket, guide_id=GUIDE_ID)
    return True
